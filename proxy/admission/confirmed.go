package admission

import (
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/prometheus/client_golang/prometheus"

	"hoard/cache"
)

// Confirmations outlive the upstream. The upstream's "yes, this caller may read this
// package" is trusted for auth.access_ttl; after that it is asked again. When it
// cannot answer (refused, timed out, 5xx, 429, breaker open, offline), a caller it
// said yes to within auth.access_stale is still served from the cache, marked stale:
// a build that worked an hour ago keeps working through an outage. A refusal is
// never extended, and a caller never confirmed is told the upstream cannot confirm
// access (503). The same holds for --auth upstream's token verdicts within
// auth.verdict_stale, for reads only.
//
// Confirmations are kept in the cache's index as notes, so an outage that starts
// with a restart is covered too.
type confirmations struct {
	store *cache.Store
	life  time.Duration // how long a confirmation serves; 0: never past the live answer
	// written remembers when each key was last written, so a caller confirmed on
	// every request costs an index write at most once per rewrite interval.
	written *expirable.LRU[string, time.Time]
	stale   *prometheus.CounterVec // hoard_stale_access_total{mount,kind}
}

// rewriteEvery bounds how often one confirmation is written again: its time moves
// by at most this much, against a life of days.
const rewriteEvery = time.Minute

func newConfirmations(store *cache.Store, life time.Duration, stale *prometheus.CounterVec) *confirmations {
	return &confirmations{store: store, life: life, stale: stale,
		written: expirable.NewLRU[string, time.Time](entriesKept, nil, rewriteEvery)}
}

// newStaleCounter is hoard_stale_access_total, shared by the access and verdict
// confirmations.
func newStaleCounter(reg prometheus.Registerer) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoard_stale_access_total",
		Help: "Reads let through on a past confirmation because the upstream could not confirm access now (kind: access or verdict).",
	}, []string{"mount", "kind"})
	reg.MustRegister(c)
	return c
}

// confirm records that the upstream confirmed key (with value) at now.
func (c *confirmations) confirm(key string, value []byte, now time.Time) error {
	if c == nil || c.life <= 0 {
		return nil
	}
	if _, recent := c.written.Get(key); recent {
		return nil
	}
	if err := c.store.PutNote(key, now, value, c.life); err != nil {
		return err
	}
	c.written.Add(key, now)
	return nil
}

// within returns the value of key's confirmation and whether it was made within
// the confirmation life before now.
func (c *confirmations) within(key string, now time.Time) ([]byte, bool) {
	if c == nil || c.life <= 0 {
		return nil, false
	}
	at, v, found, err := c.store.Note(key)
	if err != nil || !found || now.Sub(at) > c.life {
		return nil, false
	}
	return v, true
}

// servedStale counts one read let through on a past confirmation.
func (c *confirmations) servedStale(mount, kind string) {
	if c != nil && c.stale != nil {
		c.stale.WithLabelValues(mount, kind).Inc()
	}
}
