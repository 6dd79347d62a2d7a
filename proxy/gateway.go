package proxy

import (
	"fmt"
	"net/http"
)

// A gateway's own answers to an upstream that cannot serve a read. Relayed as they
// came, an upstream 500 would read as Hoard's own failure and a 429 as the client's
// own rate: the client is told instead that the upstream failed (502), is
// overloaded (503, with its Retry-After, which clients honour) or did not answer in
// time (504, see failFill). None of them is cached, and none is ever a 404.

// gatewayError answers, and returns true, when status is an upstream failure a
// gateway reports in its own words; header holds the upstream's headers.
func (e *engine) gatewayError(w http.ResponseWriter, r *http.Request, m *mount, status int, header http.Header) bool {
	switch {
	case status == http.StatusTooManyRequests:
		if ra := header.Get("Retry-After"); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		e.fail(w, r, m, http.StatusServiceUnavailable, "the upstream is rate limiting requests (429); retry later")
	case status >= 500:
		e.fail(w, r, m, http.StatusBadGateway, fmt.Sprintf("the upstream failed (%d)", status))
	default:
		return false
	}
	requestLogger(r).Warn().Int("upstream_status", status).Str("mount", m.name).Str("path", r.URL.EscapedPath()).Msg("upstream failed a read")
	return true
}
