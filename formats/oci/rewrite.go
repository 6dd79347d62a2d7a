package oci

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"hoard/formats"
)

// RewriteURL turns a URL the upstream handed out (an upload's Location, the Link to
// the next page) into the same place under Hoard's public URL: public is
// PUBLIC_URL/v2/ plus the mount's prefix ("ghcr/"), never derived from a request's
// Host. URLs at other hosts (object storage) are left as they are.
func RewriteURL(raw string, upstreams []*url.URL, public string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	var base *url.URL
	for _, b := range upstreams {
		if !u.IsAbs() || (u.Scheme == b.Scheme && u.Host == b.Host) {
			base = b
			break
		}
	}
	if base == nil || !strings.HasPrefix(u.EscapedPath(), "/") {
		return raw
	}
	p := u.EscapedPath()
	if bp := strings.TrimSuffix(base.EscapedPath(), "/"); bp != "" && strings.HasPrefix(p, bp+"/v2/") {
		p = p[len(bp):]
	}
	rest, ok := strings.CutPrefix(p, "/v2/")
	if !ok || hasDotSegment(rest) {
		// A path that climbs (even encoded) would land outside the mount once
		// the client resolves it under the public URL: never rewrite it there.
		return raw
	}
	out := public + rest
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}

// hasDotSegment reports whether an escaped path has a segment that decodes to
// "." or "..", or one that does not decode at all.
func hasDotSegment(escaped string) bool {
	for _, seg := range strings.Split(escaped, "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil || dec == "." || dec == ".." {
			return true
		}
	}
	return false
}

// RewriteLink rewrites the URL in each <...> of a Link header value.
func RewriteLink(v string, upstreams []*url.URL, public string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(v, '<')
		j := strings.IndexByte(v, '>')
		if i < 0 || j < i {
			b.WriteString(v)
			return b.String()
		}
		b.WriteString(v[:i+1])
		b.WriteString(RewriteURL(v[i+1:j], upstreams, public))
		v = v[j:]
		b.WriteByte('>')
		v = v[1:]
	}
}

// PathDigest is the digest a GET or HEAD path names (".../blobs/D", ".../manifests/D"),
// or "" for a tag or another endpoint.
func PathDigest(escapedPath string) string {
	i := strings.LastIndexByte(escapedPath, '/')
	if i < 0 {
		return ""
	}
	before := escapedPath[:i]
	if !strings.HasSuffix(before, "/blobs") && !strings.HasSuffix(before, "/manifests") {
		return ""
	}
	if d, ok := ParseDigest(escapedPath[i+1:]); ok {
		return d.String()
	}
	return ""
}

// HeaderFixer implements formats.ResponseFixer.
func (Format) HeaderFixer(public string, upstreams []*url.URL) formats.HeaderFixer {
	return &headerFixer{public: public, upstreams: upstreams}
}

// headerFixer fixes the headers of every /v2/ answer as it goes out: URLs the
// upstream handed out point at the server's public URL, a 401 carries the server's
// challenge (never the upstream's token realm), and content by digest names its
// digest.
type headerFixer struct {
	public    string
	upstreams []*url.URL
}

func (f *headerFixer) FixHeader(r *http.Request, status int, h http.Header) {
	if loc := firstHeader(h, "Location"); loc != "" {
		h["Location"] = []string{RewriteURL(loc, f.upstreams, f.public)}
	}
	if links := h["Link"]; len(links) > 0 {
		out := make([]string, len(links))
		for i, l := range links {
			out[i] = RewriteLink(l, f.upstreams, f.public)
		}
		h["Link"] = out
	}
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", basicChallenge)
	}
	if status/100 == 2 && (r.Method == http.MethodGet || r.Method == http.MethodHead) && firstHeader(h, "Docker-Content-Digest") == "" {
		if d := PathDigest(r.URL.EscapedPath()); d != "" {
			h["Docker-Content-Digest"] = []string{d}
		}
	}
}

// firstHeader is h.Get(key) for a key already in canonical form.
func firstHeader(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Rewrite implements formats.Rewriter. OCI documents are served exactly as the
// upstream sent them (a byte changed would change the digest), so Rewrite only
// validates what is read whole before it is cached: manifests and JSON listings.
func (Format) Rewrite(rt formats.Route, body []byte, _ string) ([]byte, error) {
	if err := checkExpected(rt, body); err != nil {
		return nil, err
	}
	if isManifestKey(rt.Key) {
		if err := checkManifest(body, ""); err != nil {
			return nil, err
		}
		return body, nil
	}
	if !json.Valid(body) {
		return nil, errors.New("listing is not JSON")
	}
	return body, nil
}
