package proxy

import (
	"slices"
	"testing"
)

// serveRounds runs rounds of n connections through t, in round-robin order or,
// like Go's poller under saturation, each round in the reverse of the last, and
// counts the yields after a warm-up.
func serveRounds(t *turns, n, rounds int, reverse bool) (yields int) {
	last := make([]uint64, n)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	for round := 0; round < rounds; round++ {
		for _, c := range order {
			if t.take(last[c]) && round >= 10 {
				yields++
			}
			last[c] = t.done()
		}
		if reverse {
			slices.Reverse(order)
		}
	}
	return yields
}

func TestTurnsLeaveFairOrderAlone(t *testing.T) {
	if y := serveRounds(&turns{}, 1, 100, false); y != 0 {
		t.Errorf("a lone connection yielded %d times", y)
	}
	if y := serveRounds(&turns{}, 64, 100, false); y != 0 {
		t.Errorf("round-robin connections yielded %d times", y)
	}
}

// In reversed rounds the connections served early in a round were served late
// in the one before: they are the ones that must yield.
func TestTurnsYieldWhenServedTooSoon(t *testing.T) {
	const n, rounds = 64, 100
	y := serveRounds(&turns{}, n, rounds, true)
	if min := (rounds - 10) * n / 4; y < min {
		t.Errorf("%d yields over %d reversed rounds of %d, want at least %d", y, rounds-10, n, min)
	}
	if y == (rounds-10)*n {
		t.Errorf("every request yielded")
	}
}

// A connection back after a long pause does not make the others yield for
// long, and the average follows the clients when their number grows.
func TestTurnsAfterAnOutlier(t *testing.T) {
	tr := &turns{}
	const n = 8
	last := make([]uint64, n)
	roundRobin := func(rounds int) (yields int) {
		for range rounds {
			for c := range last {
				if tr.take(last[c]) {
					yields++
				}
				last[c] = tr.done()
			}
		}
		return yields
	}
	roundRobin(100)
	tr.take(tr.served.Load() - 1_000_000)
	tr.done()
	if y := roundRobin(30); y > n {
		t.Errorf("%d yields in round-robin order after one outlier", y)
	}
	if y := serveRounds(tr, 64, 100, false); y != 0 {
		t.Errorf("%d yields once 64 connections took fair turns", y)
	}
}
