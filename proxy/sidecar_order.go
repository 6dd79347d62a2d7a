package proxy

import (
	"context"

	"hoard/formats"
)

// cachedFirst orders sidecars so that those already fresh in the cache (or
// answered and being committed) are tried first, each group in its declared order: a document a client has just fetched
// (npm's full or abbreviated packument, whichever that client reads) then verifies
// the artifact without another upstream request.
func (e *engine) cachedFirst(m *mount, scs []formats.Sidecar) []formats.Sidecar {
	if len(scs) < 2 {
		return scs
	}
	var cached, rest []formats.Sidecar
	for _, sc := range scs {
		key := m.cacheKey(sc.Route.Key)
		if entry, err := e.store.Lookup(key); err == nil && e.fresh(m, sc.Route, entry) || e.fills.isSettling(key) {
			cached = append(cached, sc)
		} else {
			rest = append(rest, sc)
		}
	}
	return append(cached, rest...)
}

// prefetchChecksum starts fetching the checksum document an artifact will most
// likely be verified against while the artifact itself is requested, so a cold miss
// costs one upstream round trip, not two. The document is fetched by a fill of its
// own and cached (clients ask for it next anyway); expectedChecksums then joins that
// fill or finds it in the cache. When the artifact turns out missing, the price is
// one request for its checksum file, remembered like any other 404.
func (e *engine) prefetchChecksum(ctx context.Context, spec fillSpec) {
	scs := e.cachedFirst(spec.mount, spec.sidecars)
	if len(scs) == 0 || e.offline {
		return
	}
	first := scs[0].Route
	if entry, err := e.store.Lookup(spec.mount.cacheKey(first.Key)); err == nil && e.fresh(spec.mount, first, entry) {
		return
	}
	go e.ensure(ctx, spec.mount, first, spec)
}

// sidecarsOf lists a route's checksum documents, if its format has any.
func sidecarsOf(m *mount, rt formats.Route) []formats.Sidecar {
	if l, ok := m.format.(formats.SidecarLister); ok {
		return l.Sidecars(rt)
	}
	return nil
}
