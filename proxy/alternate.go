package proxy

import (
	"net/http"
	"strings"

	"hoard/formats"
)

// serveAlternate answers a read from the first of the route's alternates that is in
// the cache and fresh (or, with stale allowed, in the cache at all), so a variant a
// client has not asked for yet costs no upstream request when another that answers
// it as well is cached: npm's full packument answers a request for the abbreviated
// one. Private entries are left to the fill, which checks the caller.
func (e *engine) serveAlternate(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route, stale bool) bool {
	a, ok := m.format.(formats.Alternator)
	if !ok {
		return false
	}
	for _, k := range a.Alternates(rt) {
		key := m.cacheKey(k)
		entry, err := e.store.Lookup(key)
		if err != nil && e.fills.awaitSettling(r.Context(), key) {
			entry, err = e.store.Lookup(key) // answered already, committed now
		}
		if err != nil || entry.Private || (!stale && !e.fresh(m, rt, entry)) || !acceptable(rt, entry.ContentType) {
			continue
		}
		result, warning := resultHit, ""
		if stale {
			result, warning = resultStale, e.staleWarning()
		}
		if e.serveEntry(w, r, m, entry, result, warning) {
			return true
		}
	}
	return false
}

// acceptable reports whether content of type ct answers rt (Route.AcceptTypes).
func acceptable(rt formats.Route, ct string) bool {
	if len(rt.AcceptTypes) == 0 {
		return true
	}
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	for _, t := range rt.AcceptTypes {
		if t == mt {
			return true
		}
	}
	return false
}
