package upstream

import (
	"testing"
	"time"
)

// While the probe is in flight, other requests are still refused.
func TestBreakerLetsOneProbeThrough(t *testing.T) {
	b := newBreaker(1, time.Minute)
	now := time.Now()
	b.now = func() time.Time { return now }
	if !b.allow() {
		t.Fatal("a closed breaker refused")
	}
	b.done(false)
	if b.allow() {
		t.Fatal("an open breaker allowed a request before the cooldown")
	}
	now = now.Add(time.Minute + time.Second)
	if !b.allow() {
		t.Fatal("no probe after the cooldown")
	}
	if b.allow() {
		t.Fatal("a second request went through while the probe was in flight")
	}
	b.done(false)
	if b.allow() {
		t.Fatal("a failed probe did not reopen the breaker")
	}
	now = now.Add(time.Minute + time.Second)
	if !b.allow() {
		t.Fatal("no probe after the second cooldown")
	}
	b.release() // the probe's caller left: another probe may go, the breaker stays open
	if !b.open() || !b.allow() {
		t.Fatal("a released probe changed the breaker or kept its slot")
	}
	b.done(true)
	if !b.allow() || b.open() {
		t.Fatal("a successful probe did not close the breaker")
	}
	b.done(true)
}
