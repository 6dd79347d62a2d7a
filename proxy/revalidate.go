package proxy

import (
	"io"
	"net/http"

	"hoard/cache"
	"hoard/formats"
	"hoard/proxy/upstream"
)

// revalidateHead asks the upstream whether a stale entry is still current with a HEAD
// (Route.RevalidateHead): registries count a GET of a manifest against the caller's
// pull rate limit and a HEAD not. The same digest in the named header comes back as a
// 304, which refreshes the entry. done is false when the content changed or the
// upstream named no digest: the caller then fetches it with req, a GET. Any other
// answer (401, 404, 429, 5xx) is returned as it is, for the fill to relay or to serve
// the stale entry on.
func (e *engine) revalidateHead(req *http.Request, spec fillSpec, u *upstream.Upstream) (resp *http.Response, done bool, err error) {
	head := req.Clone(req.Context())
	head.Method = http.MethodHead
	start := e.now()
	resp, err = u.Do(head)
	e.metrics.upstreamDone(spec.mount.name, resp, err, e.now().Sub(start))
	if err != nil {
		return nil, true, err
	}
	if resp.StatusCode != http.StatusOK {
		return resp, true, nil
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	if got := resp.Header.Get(revalidateHead(spec)); got != "" && got == spec.stale.Digest.String() {
		resp.StatusCode, resp.Status, resp.Body = http.StatusNotModified, "304 Not Modified", http.NoBody
		return resp, true, nil
	}
	return nil, false, nil
}

// keptHeaders picks the headers a route keeps with its cached content.
func keptHeaders(h http.Header, names []string) map[string]string {
	var out map[string]string
	for _, n := range names {
		if v := h.Get(n); v != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[http.CanonicalHeaderKey(n)] = v
		}
	}
	return out
}

// withDocHeaders adds a document's own headers to those kept from the upstream.
func withDocHeaders(kept, doc map[string]string) map[string]string {
	if len(doc) == 0 {
		return kept
	}
	if kept == nil {
		kept = make(map[string]string, len(doc))
	}
	for k, v := range doc {
		kept[http.CanonicalHeaderKey(k)] = v
	}
	return kept
}

// setContentHeaders adds what a cached entry carries beyond its bytes: the headers
// kept with it and, for formats that name it, its digest.
func setContentHeaders(h http.Header, m *mount, entry cache.Entry) {
	for k, v := range entry.Header {
		h.Set(k, v)
	}
	if d, ok := m.format.(formats.DigestHeaderer); ok && entry.Digest.Hex() != "" {
		h.Set(d.DigestHeader(), entry.Digest.String())
	}
}

// setExpectedDigest names the digest of content still streaming from a fill, known
// from the request itself (a blob by digest), for formats that name it.
func setExpectedDigest(h http.Header, m *mount, rt formats.Route) {
	d, ok := m.format.(formats.DigestHeaderer)
	if !ok {
		return
	}
	for _, c := range rt.Expect {
		if c.Algo == "sha256" {
			h.Set(d.DigestHeader(), "sha256:"+c.Hex)
		}
	}
}

// revalidateHead is the digest header a stale entry of spec is revalidated by, or
// "" for a conditional GET (see formats.HeadRevalidator).
func revalidateHead(spec fillSpec) string {
	if h, ok := spec.mount.format.(formats.HeadRevalidator); ok {
		return h.RevalidateHead(spec.route)
	}
	return ""
}

// keepHeaders are the upstream headers stored with spec's entry (see
// formats.HeaderKeeper).
func keepHeaders(spec fillSpec) []string {
	if k, ok := spec.mount.format.(formats.HeaderKeeper); ok && spec.route.Kind == formats.Metadata {
		return k.KeepHeaders(spec.route)
	}
	return nil
}
