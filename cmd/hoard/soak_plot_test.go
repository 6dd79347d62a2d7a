package main_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// soakSeries is one quantity sampled every window of a soak run.
type soakSeries struct {
	title, unit string
	values      []float64
}

// soakSeriesOf turns the run's samples into the three plotted series: p99 of
// complete bodies per window, RSS and goroutines.
func soakSeriesOf(st *soakStats, samples []procStats) []soakSeries {
	st.mu.Lock()
	defer st.mu.Unlock()
	p99 := soakSeries{title: "p99 latency of complete bodies", unit: "ms"}
	rss := soakSeries{title: "resident memory", unit: "MiB"}
	gor := soakSeries{title: "goroutines", unit: ""}
	for i, s := range samples {
		var ms float64
		if i > 0 && i-1 < len(st.lat) {
			_, d := percentiles(st.lat[i-1])
			ms = float64(d) / float64(time.Millisecond)
		}
		p99.values = append(p99.values, ms)
		rss.values = append(rss.values, float64(s.rssKiB)/1024)
		gor.values = append(gor.values, float64(s.goroutines))
	}
	return []soakSeries{p99, rss, gor}
}

// writeSoakPlot draws the series as stacked line charts in one SVG file, where
// HOARD_SOAK_PLOT names: no plotting tool is needed to make or view it.
func writeSoakPlot(t *testing.T, series []soakSeries, window time.Duration) {
	path := os.Getenv("HOARD_SOAK_PLOT")
	if path == "" {
		return
	}
	const width, panel, left, top = 720, 170, 70, 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n",
		width, top+panel*len(series)+20)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	for i, s := range series {
		y0 := top + i*panel
		plotPanel(&b, s, window, left, y0, width-left-20, panel-50)
	}
	b.WriteString("</svg>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Errorf("soak plot: %v", err)
	}
}

// plotPanel draws one series in the box at (x0, y0) of size w x h, with its
// title, its maximum on the y axis and the time on the x axis.
func plotPanel(b *strings.Builder, s soakSeries, window time.Duration, x0, y0, w, h int) {
	maxV := 0.0
	for _, v := range s.values {
		maxV = max(maxV, v)
	}
	if maxV == 0 {
		maxV = 1
	}
	n := max(len(s.values)-1, 1)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", x0, y0-8, s.title)
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>`+"\n", x0, y0, w, h)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%.0f %s</text>`+"\n", x0-6, y0+10, maxV, s.unit)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">0</text>`+"\n", x0-6, y0+h)
	end := time.Duration(n) * window
	fmt.Fprintf(b, `<text x="%d" y="%d">0</text><text x="%d" y="%d" text-anchor="end">%v</text>`+"\n",
		x0, y0+h+15, x0+w, y0+h+15, end)
	var pts []string
	for i, v := range s.values {
		x := float64(x0) + float64(w)*float64(i)/float64(n)
		y := float64(y0+h) - float64(h)*v/maxV
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
	}
	fmt.Fprintf(b, `<polyline fill="none" stroke="#1f6feb" stroke-width="2" points="%s"/>`+"\n", strings.Join(pts, " "))
}

func TestSoakPlotDrawsEverySample(t *testing.T) {
	path := t.TempDir() + "/soak.svg"
	t.Setenv("HOARD_SOAK_PLOT", path)
	series := []soakSeries{{title: "goroutines", values: []float64{10, 40, 20}}}
	writeSoakPlot(t, series, 10*time.Second)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	if !strings.Contains(svg, `points="70.0,120.0 385.0,30.0 700.0,90.0"`) || !strings.Contains(svg, ">40 </text>") {
		t.Fatalf("plot lacks the samples or the maximum:\n%s", svg)
	}
}
