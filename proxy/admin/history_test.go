package admin

import (
	"testing"
	"time"
)

func TestHistoryDeltasAndCoarseSteps(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	h := newHistory(start)
	at := func(i int) time.Time { return start.Add(time.Duration(i) * fineStep) }
	// Ten hits and 100 bytes served every tick.
	for i := 1; i <= coarseFactor+2; i++ {
		h.tick(Sample{At: at(i), Hits: int64(10 * i), BytesServed: int64(100 * i), CacheBytes: 5})
	}
	got := h.snapshot(Sample{At: at(coarseFactor + 2).Add(time.Second), Hits: int64(10*(coarseFactor+2) + 3), Misses: 1})
	if n := len(got.Hour.Samples); n != coarseFactor+3 {
		t.Fatalf("hour: %d samples, want %d closed and the running one", n, coarseFactor+3)
	}
	for _, s := range got.Hour.Samples[:coarseFactor+2] {
		if s.Hits != 10 || s.BytesServed != 100 || s.CacheBytes != 5 {
			t.Fatalf("a closed fine sample: %+v", s)
		}
	}
	if run := got.Hour.Samples[coarseFactor+2]; run.Hits != 3 || run.Misses != 1 {
		t.Errorf("the running sample: %+v", run)
	}
	if n := len(got.Day.Samples); n != 2 {
		t.Fatalf("day: %d samples, want one closed minute and the running one", n)
	}
	if d := got.Day.Samples[0]; d.Hits != int64(10*coarseFactor) {
		t.Errorf("the closed minute: %d hits, want %d", d.Hits, 10*coarseFactor)
	}
	if d := got.Day.Samples[1]; d.Hits != 23 {
		t.Errorf("the running minute: %d hits, want 23 (two closed steps and the running one)", d.Hits)
	}
	if got.Hour.StepSeconds != 10 || got.Day.StepSeconds != 60 {
		t.Errorf("steps: %d and %d", got.Hour.StepSeconds, got.Day.StepSeconds)
	}
}

// The rings stay bounded: an hour of fine steps, a day of coarse ones.
func TestHistoryRingsAreBounded(t *testing.T) {
	h := newHistory(time.Unix(0, 0))
	for i := 1; i <= daySamples*coarseFactor+50; i++ {
		h.tick(Sample{At: time.Unix(int64(i)*10, 0), Hits: int64(i)})
	}
	got := h.snapshot(Sample{At: time.Unix(1e9, 0), Hits: int64(daySamples*coarseFactor + 50)})
	if len(got.Hour.Samples) != fineSamples+1 || len(got.Day.Samples) != daySamples+1 {
		t.Errorf("%d and %d samples", len(got.Hour.Samples), len(got.Day.Samples))
	}
	first, last := got.Hour.Samples[0], got.Hour.Samples[fineSamples-1]
	if !first.At.Before(last.At) {
		t.Errorf("hour not oldest first: %v then %v", first.At, last.At)
	}
}
