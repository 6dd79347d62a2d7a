package proxy

import "hoard/formats"

// cachedFirst orders sidecars so that those already fresh in the cache are tried
// first, each group in its declared order: a document a client has just fetched
// (npm's full or abbreviated packument, whichever that client reads) then verifies
// the artifact without another upstream request.
func (e *engine) cachedFirst(m *mount, scs []formats.Sidecar) []formats.Sidecar {
	if len(scs) < 2 {
		return scs
	}
	var cached, rest []formats.Sidecar
	for _, sc := range scs {
		if entry, err := e.store.Lookup(m.cacheKey(sc.Route.Key)); err == nil && e.fresh(m, sc.Route, entry) {
			cached = append(cached, sc)
		} else {
			rest = append(rest, sc)
		}
	}
	return append(cached, rest...)
}
