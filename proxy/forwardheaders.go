package proxy

import (
	"net/http"

	"hoard/formats"
	"hoard/policy"
)

// What of a client's request goes upstream when it is forwarded. An allow-list,
// never a deny-list: a client's Cookie, Proxy-Authorization, X-Api-Key,
// Private-Token or any header nobody thought of stays here. The caller's own
// credentials go only where the mount passes them through (AuthFor, and the other
// headers tokens are read from); a format adds the protocol headers it needs
// (formats.HeaderForwarder).

// forwardedHeaders are the headers of HTTP itself that a forwarded request needs:
// content negotiation, the body's description, ranges and preconditions.
var forwardedHeaders = []string{
	"Accept", "Accept-Language",
	"Content-Type", "Content-Encoding", "Content-Range", "Content-Md5", "Content-Language",
	"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range",
	"Cache-Control", "Expect",
}

// copyForwarded sets on dst the headers of src a forwarded request carries to the
// upstream of m.
func copyForwarded(dst, src http.Header, m *mount) {
	copyNamed(dst, src, forwardedHeaders)
	if f, ok := m.format.(formats.HeaderForwarder); ok {
		copyNamed(dst, src, f.ForwardHeaders())
	}
	if m.cred.Passthrough {
		copyNamed(dst, src, policy.CredentialHeaders)
	}
}

func copyNamed(dst, src http.Header, names []string) {
	for _, n := range names {
		if v, ok := src[http.CanonicalHeaderKey(n)]; ok {
			dst[http.CanonicalHeaderKey(n)] = append([]string(nil), v...)
		}
	}
}
