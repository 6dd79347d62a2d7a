package proxy

import (
	"net/http"

	"hoard/cache"
	"hoard/formats"
)

// upstreamStale is the Warning an upstream cache sent with a copy it could not
// confirm itself (RFC 7234 codes 110 stale, 111 revalidation failed, 112
// disconnected: what a Hoard upstream sends when its own upstream is down), or
// "". A chain of Hoards passes it on rather than calling such a copy fresh.
func upstreamStale(h http.Header) string {
	for _, v := range h.Values("Warning") {
		if len(v) > 4 && v[3] == ' ' && (v[:3] == "110" || v[:3] == "111" || v[:3] == "112") {
			return v
		}
	}
	return ""
}

// withUpstreamAge dates metadata an upstream cache could only serve stale as
// already past its TTL: it is as fresh as that cache could vouch for, which is
// not at all, so the next request revalidates instead of trusting it for a TTL.
func withUpstreamAge(resp *http.Response, spec fillSpec, e cache.Entry) cache.Entry {
	if spec.route.Kind == formats.Metadata && upstreamStale(resp.Header) != "" {
		e.FetchedAt = e.FetchedAt.Add(-spec.mount.ttlFor(spec.route.TTLClass))
	}
	return e
}
