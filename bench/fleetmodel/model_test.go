package fleetmodel

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// The closed form and the simulation agree, on a fleet small enough for a test.
func TestModelMatchesSimulation(t *testing.T) {
	p := Default()
	p.Runners, p.JobsPerDay, p.Artifacts = 300, 4, 20_000
	l := NewLaw(p)
	for _, n := range []int{1, 4} {
		sim := Simulate(p, l, n)
		for _, s := range []Strategy{Direct, Isolated, Shared, Chained} {
			m, got := Model(p, l, s, n), sim[s]
			if d := math.Abs(got.Upstream-m.Upstream) / m.Upstream; d > 0.03 {
				t.Errorf("n=%d %v: simulated %.0f upstream requests, model %.0f (%.1f%% apart)", n, s, got.Upstream, m.Upstream, 100*d)
			}
		}
	}
}

// Sharing never costs more than isolation, and chaining never more than sharing.
func TestOrdering(t *testing.T) {
	p := Default()
	l := NewLaw(p)
	for _, n := range []int{1, 2, 8, 32} {
		d, i, s, c := Model(p, l, Direct, n), Model(p, l, Isolated, n), Model(p, l, Shared, n), Model(p, l, Chained, n)
		if !(d.Upstream >= i.Upstream && i.Upstream >= s.Upstream-1e-6 && s.Upstream >= c.Upstream) {
			t.Errorf("n=%d: direct %.0f, isolated %.0f, shared %.0f, chained %.0f", n, d.Upstream, i.Upstream, s.Upstream, c.Upstream)
		}
	}
}

func TestSVG(t *testing.T) {
	p := Default()
	l := NewLaw(p)
	var series []Series
	for _, s := range []Strategy{Direct, Isolated, Shared, Chained} {
		var pts []Point
		for _, n := range []int{1, 2, 4} {
			pts = append(pts, Point{Nodes: n, Model: Model(p, l, s, n)})
		}
		series = append(series, Series{Strategy: s, Points: pts})
	}
	var b bytes.Buffer
	if err := WriteSVG(&b, "t", series); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "<svg") || strings.Count(b.String(), "<polyline") != 4 || strings.Contains(b.String(), "NaN") {
		t.Fatalf("bad svg:\n%s", b.String())
	}
}
