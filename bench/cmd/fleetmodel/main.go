// Command fleetmodel evaluates the fleet model (bench/fleetmodel) for the
// README: a markdown table of upstream requests, egress and hit ratio per
// strategy, the simulation beside the closed form, and the SVG plot.
//
//	go run ./bench/cmd/fleetmodel -svg bench/fleet.svg
package main

import (
	"flag"
	"fmt"
	"os"

	"hoard/bench/fleetmodel"
)

func main() {
	svgPath := flag.String("svg", "bench/fleet.svg", "where to write the plot")
	simulate := flag.Bool("simulate", true, "also draw every request (about a minute) and show it beside the model")
	flag.Parse()
	p := fleetmodel.Default()
	law := fleetmodel.NewLaw(p)
	strategies := []fleetmodel.Strategy{fleetmodel.Direct, fleetmodel.Isolated, fleetmodel.Shared, fleetmodel.Chained}
	sizes := []int{1, 2, 4, 8, 16, 32}
	sims := map[int]map[fleetmodel.Strategy]fleetmodel.Result{}
	if *simulate {
		for _, n := range sizes {
			sims[n] = fleetmodel.Simulate(p, law, n)
		}
	}
	fmt.Printf("%d runners in %d regions %v, %d jobs a day of %d fetches: %.0f requests a day over %d artifacts, Zipf s=%.1f\n\n",
		p.Runners, len(p.RegionShares), p.RegionShares, p.JobsPerDay, p.FetchesPerJob, p.Requests(), p.Artifacts, p.ZipfS)
	fmt.Println("| nodes per region | strategy | upstream requests/day (model) | (simulated) | GitHub egress/day | fleet hit ratio |")
	fmt.Println("|---:|---|---:|---:|---:|---:|")
	var series []fleetmodel.Series
	for _, s := range strategies {
		var pts []fleetmodel.Point
		for _, n := range sizes {
			m := fleetmodel.Model(p, law, s, n)
			pt := fleetmodel.Point{Nodes: n, Model: m}
			simText := "-"
			if r, ok := sims[n][s]; ok {
				pt.Simulated = &r
				simText = fmt.Sprintf("%.0f", r.Upstream)
			}
			pts = append(pts, pt)
			if n == 1 || n == 8 || n == 32 {
				fmt.Printf("| %d | %s | %.0f | %s | %.1f GiB | %.4f |\n", n, s, m.Upstream, simText, m.Egress/(1<<30), m.HitRatio)
			}
		}
		series = append(series, fleetmodel.Series{Strategy: s, Points: pts})
	}
	fmt.Println("\nSensitivity, 8 nodes per region, upstream requests/day:")
	fmt.Println("\n| Zipf s | direct | isolated | shared bucket | chained |")
	fmt.Println("|---:|---:|---:|---:|---:|")
	for _, zs := range []float64{0.8, 1.0, 1.2} {
		q := p
		q.ZipfS = zs
		l := fleetmodel.NewLaw(q)
		fmt.Printf("| %.1f |", zs)
		for _, s := range strategies {
			fmt.Printf(" %.0f |", fleetmodel.Model(q, l, s, 8).Upstream)
		}
		fmt.Println()
	}
	f, err := os.Create(*svgPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	title := fmt.Sprintf("%d CI runners, 3 regions: requests that reach GitHub per day", p.Runners)
	if err := fleetmodel.WriteSVG(f, title, series); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
