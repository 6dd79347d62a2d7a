package harness

import (
	"fmt"
	"sort"
)

// The warm and herd scenarios measure every server once per round, for several
// rounds, and report the median over the rounds: one noisy run on a shared
// machine then decides no row. Ratios to static nginx are taken within a round,
// where any drift of the machine hit both servers alike, and their median is
// reported.

// runs is one figure of one table row, by round.
type runs map[int]float64

func (r runs) sorted() []float64 {
	xs := make([]float64, 0, len(r))
	for _, x := range r {
		xs = append(xs, x)
	}
	sort.Float64s(xs)
	return xs
}

// median is the middle figure, or the mean of the middle two for an even count;
// 0 for none.
func (r runs) median() float64 {
	xs := r.sorted()
	n := len(xs)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// spread is the smallest and the largest figure; 0, 0 for none.
func (r runs) spread() (lo, hi float64) {
	xs := r.sorted()
	if len(xs) == 0 {
		return 0, 0
	}
	return xs[0], xs[len(xs)-1]
}

// largest is the largest figure (peak memory is reported as the worst round).
func (r runs) largest() float64 {
	_, hi := r.spread()
	return hi
}

// sum adds the figures up (counts over all rounds).
func (r runs) sum() float64 {
	var t float64
	for _, x := range r {
		t += x
	}
	return t
}

// over divides each figure by ref's in the same round. Rounds missing from
// either, or with a zero in either (nothing measured), give no ratio.
func (r runs) over(ref runs) runs {
	out := runs{}
	for round, x := range r {
		if y, ok := ref[round]; ok && x != 0 && y != 0 {
			out[round] = x / y
		}
	}
	return out
}

// span shows the spread as "lo–hi" with the given number of decimals; "–" for
// fewer than two figures, where there is no spread to show.
func (r runs) span(decimals int) string {
	if len(r) < 2 {
		return "–"
	}
	lo, hi := r.spread()
	return fmt.Sprintf("%.*f–%.*f", decimals, lo, decimals, hi)
}

// rowKey names a table row; the rounds of one measurement share it.
type rowKey struct {
	item   string
	conc   int
	server string
}

// measured is a row of raw results: one server, one round.
type measured interface {
	at() (rowKey, int)
}

// keys lists the distinct row keys in order of first appearance.
func keys[R measured](rows []R) []rowKey {
	var out []rowKey
	seen := map[rowKey]bool{}
	for _, row := range rows {
		k, _ := row.at()
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// figure gathers f of the rows under k, by round.
func figure[R measured](rows []R, k rowKey, f func(R) float64) runs {
	out := runs{}
	for _, row := range rows {
		if rk, round := row.at(); rk == k {
			out[round] = f(row)
		}
	}
	return out
}
