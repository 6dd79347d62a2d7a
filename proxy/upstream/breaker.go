package upstream

import (
	"errors"
	"sync"
	"time"
)

// ErrBreakerOpen is returned without contacting an upstream that keeps failing.
var ErrBreakerOpen = errors.New("upstream unavailable: circuit breaker open")

// breaker stops hammering a failing upstream: after `threshold` consecutive failures it
// opens for `cooldown`; then one probe request is let through, and its outcome closes
// the breaker or opens it again. Requests refused meanwhile are served from the cache.
type breaker struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time
	// onChange, if set before use, hears each opening and closing, outside the lock.
	onChange func(open bool, failures int)

	mu        sync.Mutex
	failures  int
	openUntil time.Time
	probing   bool
}

func newBreaker(threshold int, cooldown time.Duration) *breaker {
	return &breaker{threshold: threshold, cooldown: cooldown, now: time.Now}
}

// allow reports whether a request may go upstream now. A true answer must be
// followed by exactly one call to done.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.threshold {
		return true
	}
	if b.probing || b.now().Before(b.openUntil) {
		return false
	}
	b.probing = true
	return true
}

// done records the outcome of a request that allow let through.
func (b *breaker) done(ok bool) {
	b.mu.Lock()
	wasOpen := b.failures >= b.threshold
	b.probing = false
	if ok {
		b.failures = 0
	} else {
		b.failures++
		if b.failures >= b.threshold {
			b.openUntil = b.now().Add(b.cooldown)
		}
	}
	isOpen, failures := b.failures >= b.threshold, b.failures
	b.mu.Unlock()
	if isOpen != wasOpen && b.onChange != nil {
		b.onChange(isOpen, failures)
	}
}

// release ends a request that allow let through without an outcome: its caller went
// away, which says nothing about the upstream. A probe's slot is freed; the count of
// failures stays as it was.
func (b *breaker) release() {
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}

// open reports whether the breaker is refusing requests, for the metrics.
func (b *breaker) open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failures >= b.threshold
}

// SetClock makes the breaker read the time from now (tests move it by hand).
func (u *Upstream) SetClock(now func() time.Time) { u.breaker.now = now }

// OnBreakerChange makes fn hear each opening and closing of the upstream's breaker,
// outside its lock; set it before the upstream is used.
func (u *Upstream) OnBreakerChange(fn func(open bool, failures int)) { u.breaker.onChange = fn }

// BreakerOpen reports whether the breaker is refusing requests, for the metrics.
func (u *Upstream) BreakerOpen() bool { return u.breaker.open() }

// BreakerCooldown is how long the breaker stays open before a probe.
func (u *Upstream) BreakerCooldown() time.Duration { return u.breaker.cooldown }
