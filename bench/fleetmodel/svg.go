package fleetmodel

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Point is one strategy's cost at one fleet size, from the model and, where
// simulated, from the simulation.
type Point struct {
	Nodes     int
	Model     Result
	Simulated *Result
}

// Series is one strategy's points, in increasing Nodes.
type Series struct {
	Strategy Strategy
	Points   []Point
}

var colors = map[Strategy]string{Direct: "#c0392b", Isolated: "#e67e22", Shared: "#2471a3", Chained: "#1e8449"}

// WriteSVG plots upstream requests per period against nodes per region: the
// model as lines (log scales on both axes), the simulation as dots on them.
func WriteSVG(w io.Writer, title string, series []Series) error {
	const width, height, left, right, top, bottom = 760.0, 440.0, 80.0, 20.0, 40.0, 150.0
	maxN, lo, hi := 1, math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, p := range s.Points {
			maxN = max(maxN, p.Nodes)
			lo, hi = math.Min(lo, p.Model.Upstream), math.Max(hi, p.Model.Upstream)
		}
	}
	yLo, yHi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	xMax := math.Log2(float64(maxN))
	px := func(n int) float64 { return left + (width-left-right)*math.Log2(float64(n))/math.Max(xMax, 1) }
	py := func(v float64) float64 {
		return top + (height-top-bottom)*(1-(math.Log10(v)-yLo)/(yHi-yLo))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="14" font-weight="bold">%s</text>`+"\n", left, escape(title))
	for e := yLo; e <= yHi; e++ {
		y := py(math.Pow(10, e))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", left, y, width-right, y)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">1e%.0f</text>`+"\n", left-6, y+4, e)
	}
	for n := 1; n <= maxN; n *= 2 {
		x := px(n)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`+"\n", x, top, x, height-bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`+"\n", x, height-bottom+16, n)
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">nodes per region (log scale)</text>`+"\n", (left+width-right)/2, height-bottom+34)
	fmt.Fprintf(&b, `<text transform="translate(18 %.1f) rotate(-90)" text-anchor="middle">upstream requests per day (log scale)</text>`+"\n", (top+height-bottom)/2)
	for i, s := range series {
		var pts []string
		for _, p := range s.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p.Nodes), py(p.Model.Upstream)))
		}
		c := colors[s.Strategy]
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", c, strings.Join(pts, " "))
		for _, p := range s.Points {
			if p.Simulated != nil {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s" stroke="white"/>`+"\n", px(p.Nodes), py(p.Simulated.Upstream), c)
			}
		}
		y := height - bottom + 56 + float64(i)*18
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="%s" stroke-width="2"/>`+"\n", left, y-4, left+24, y-4, c)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f">%s</text>`+"\n", left+30, y, escape(s.Strategy.String()))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" fill="#555">lines: the closed-form model; dots: the simulation</text>`+"\n", left+330, height-bottom+56)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
