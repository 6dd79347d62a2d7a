package admission

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAccessFlightCoalesces: callers asking for the same answer while it is being
// asked wait for it.
func TestAccessFlightCoalesces(t *testing.T) {
	var f flight
	release := make(chan struct{})
	var calls atomic.Int64
	check := func() answer { calls.Add(1); <-release; return answer{status: 200} }
	var wg sync.WaitGroup
	results := make([]int, 8)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = f.do("k", check).status }()
	}
	waitFor(t, "seven waiters", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		c := f.calls["k"]
		return c != nil && c.waiters == 7
	})
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("%d checks, want 1", calls.Load())
	}
	for i, s := range results {
		if s != 200 {
			t.Errorf("caller %d got %d", i, s)
		}
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
