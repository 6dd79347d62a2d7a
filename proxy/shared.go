package proxy

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hoard/cache"
	"hoard/formats"
)

// SharedTier is a blob tier several Hoard nodes share behind their own disks
// (fleet.Tier on an S3 bucket). The engine asks it on a local miss before going
// upstream, coalesces cold fills across nodes through it, and publishes to it
// what a fill committed. Only immutable artifacts go through it: metadata stays
// per node with its TTLs, and so do access verdicts on private content (an
// imported private entry is checked like any other on this node).
type SharedTier interface {
	// Import brings key's entry and blob from the tier into the local store;
	// cache.ErrNotFound-like errors mean the tier does not have it.
	Import(ctx context.Context, key string) (cache.Entry, error)
	// Claim returns the entry another node filled meanwhile (found), or leaves
	// this node to fill key and calls release once it has published.
	Claim(ctx context.Context, key string) (e cache.Entry, found bool, release func())
	Publish(ctx context.Context, e cache.Entry) error
	// Forget drops key's record after a change made through this node.
	Forget(ctx context.Context, key string) error
}

// sharedTimeout bounds the tier's part of a request: a slow bucket costs a miss,
// not a stalled client.
const sharedTimeout = 30 * time.Second

// shareable: immutable artifacts stored as the upstream sent them. Documents
// read whole may be rewritten for this node's public URL, and metadata has a
// TTL; both stay per node.
func shareable(m *mount, rt formats.Route) bool {
	return rt.Kind == formats.Artifact && !readsWhole(m.format, rt)
}

// importShared looks a local miss up in the shared tier; it returns the
// imported entry, or err unchanged when the tier does not have it.
func (e *engine) importShared(ctx context.Context, m *mount, rt formats.Route, key string, err error) (cache.Entry, error) {
	if e.shared == nil || !shareable(m, rt) {
		return cache.Entry{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	defer cancel()
	entry, ierr := e.shared.Import(ctx, key)
	if ierr != nil {
		return cache.Entry{}, err
	}
	e.sharedHits.WithLabelValues(m.name, "import").Inc()
	return entry, nil
}

// claimShared, for a cold fill, waits for a fill of the same key on another
// node and reports whether it ended f with that node's entry. Otherwise release
// runs once this fill has committed and published. A fill with the caller's
// own credentials does not wait: what another node stored, this caller has not
// been shown to be allowed to read, and the upstream is what says so.
func (e *engine) claimShared(ctx context.Context, f *fill, spec fillSpec) (release func(), done bool) {
	if e.shared == nil || !shareable(spec.mount, spec.route) || spec.stale != nil || spec.private {
		return func() {}, false
	}
	entry, found, release := e.shared.Claim(ctx, f.key)
	if found {
		e.sharedHits.WithLabelValues(spec.mount.name, "lease").Inc()
		f.end(outcomeStored, entry, relayed{}, nil)
		return func() {}, true
	}
	return release, false
}

// publishShared hands what a fill committed to the shared tier. It runs on the
// fill's goroutine after its clients have every byte, and before the fill's
// lease is released, so a node waiting on the lease finds the record.
func (e *engine) publishShared(f *fill, spec fillSpec) {
	if e.shared == nil || !shareable(spec.mount, spec.route) {
		return
	}
	s := f.snapshot()
	if s.outcome != outcomeStored {
		return
	}
	if err := e.shared.Publish(context.Background(), s.entry); err != nil {
		e.log.Warn().Err(err).Str("key", f.key).Msg("publishing to the shared tier")
	}
}

// forgetShared drops key's shared record after a publish or delete through
// this node changed it upstream.
func (e *engine) forgetShared(key string) {
	if e.shared == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	if err := e.shared.Forget(ctx, key); err != nil {
		e.log.Warn().Err(err).Str("key", key).Msg("forgetting a shared record")
	}
}

// newSharedHits counts local misses the shared tier answered: "import" when it
// had the entry already, "lease" when another node's fill this one waited for
// produced it.
func newSharedHits(reg *prometheus.Registry) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoard_shared_tier_hits_total", Help: "Local misses answered from the shared blob tier, by mount and how.",
	}, []string{"mount", "how"})
	reg.MustRegister(c)
	return c
}
