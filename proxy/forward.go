package proxy

import (
	"io"
	"net/http"
	"strings"

	"hoard/cache"
	"hoard/formats"
	"hoard/policy"
	"hoard/proxy/admission"
	"hoard/proxy/upstream"
)

// hopHeaders are connection-level headers a proxy must not forward (RFC 9110 7.6.1).
var hopHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// copyEndToEnd copies headers except hop-by-hop ones and those named in Connection.
func copyEndToEnd(dst, src http.Header) {
	drop := map[string]bool{}
	for _, v := range src.Values("Connection") {
		for _, f := range strings.Split(v, ",") {
			drop[http.CanonicalHeaderKey(strings.TrimSpace(f))] = true
		}
	}
	for _, h := range hopHeaders {
		drop[h] = true
	}
	for k, vs := range src {
		if !drop[k] {
			dst[k] = append([]string(nil), vs...)
		}
	}
}

// forward sends a request that is not served from the cache (publish, delete,
// passthrough, HEAD of a miss) to the mount's upstream with the caller's credentials.
// Only after the upstream accepted a publish or delete is the cache changed. rewrite:
// a 200 answer is rewritten before it is relayed (formats.PassthroughRewriter).
func (e *engine) forward(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route, rewrite bool) {
	setResult(r, resultBypass)
	if e.offline {
		e.failNotAvailable(w, r, m, msgOfflineSend)
		return
	}
	ups := m.candidates(rt.Package)
	if len(ups) == 0 {
		e.fail(w, r, m, http.StatusBadGateway, errNoUpstream.Error())
		return
	}
	if e.maxSize > 0 && r.ContentLength > e.maxSize {
		e.fail(w, r, m, http.StatusRequestEntityTooLarge, (&overLimit{what: "request body", setting: "cache.max_artifact_size", limit: e.maxSize, size: r.ContentLength}).Error())
		return
	}
	if rt.ParseBody || rewrite {
		e.forwardBuffered(w, r, m, rt, ups[0], rewrite)
		return
	}
	body, writer, err := e.publishBody(r, rt)
	if err != nil {
		e.fail(w, r, m, http.StatusInternalServerError, "cannot stage the upload")
		return
	}
	if writer != nil {
		defer writer.Cancel()
	}
	resp, err := e.sendUpstream(r, m, ups[0], rt, body)
	if err != nil {
		e.failFill(w, r, m, err)
		return
	}
	defer resp.Body.Close()
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && e.gatewayError(w, r, m, resp.StatusCode, resp.Header) {
		return
	}
	if resp.StatusCode/100 == 2 {
		e.afterSuccess(r, m, rt, writer)
	}
	e.audit(r, m, rt, resp.StatusCode)
	if r.Method == http.MethodGet && resp.StatusCode == http.StatusOK {
		if err := e.decodeBody(fillSpec{mount: m, route: rt}, resp); err != nil {
			e.failFill(w, r, m, err)
			return
		}
	}
	body = ownDigestHeader(r, m, resp)
	copyEndToEnd(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, body)
}

// publishBody tees a publish body into a cache writer while it goes upstream.
func (e *engine) publishBody(r *http.Request, rt formats.Route) (io.Reader, *cache.Writer, error) {
	if r.Body == nil || r.Body == http.NoBody || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil, nil, nil
	}
	if rt.Kind != formats.Publish || !rt.CacheOnSuccess {
		return r.Body, nil, nil
	}
	// What the route declares (an OCI blob's digest) is checked before the body is
	// cached: a last chunk of an upload is never kept as the whole blob.
	var expected []cache.Checksum
	for _, c := range rt.Expect {
		expected = append(expected, cache.Checksum{Algo: c.Algo, Hex: c.Hex})
	}
	w, err := e.store.NewWriter(cache.WriterOptions{ExpectedSize: r.ContentLength, Expected: expected, MaxSize: e.maxSize})
	if err != nil {
		return nil, nil, err
	}
	return io.TeeReader(r.Body, w), w, nil
}

func (e *engine) sendUpstream(r *http.Request, m *mount, u *upstream.Upstream, rt formats.Route, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, u.URL(rt.Path, rt.RawQuery), body)
	if err != nil {
		return nil, err
	}
	copyForwarded(req.Header, r.Header, m)
	req.Header.Set("Accept-Encoding", "identity") // relayed bytes are the published bytes
	if auth := m.cred.AuthFor(r); auth != "" {
		req.Header.Set("Authorization", auth)
	} else {
		req.Header.Del("Authorization")
	}
	req.Header.Set("User-Agent", upstream.UserAgent+" "+r.UserAgent())
	if body != nil {
		req.ContentLength = r.ContentLength
	}
	start := e.now()
	resp, err := u.Do(req)
	e.metrics.upstreamDone(m.name, resp, err, e.now().Sub(start))
	e.metrics.countUpstream(resp, m.name, m.format.Name())
	return resp, err
}

// afterSuccess caches what the upstream accepted and drops what it made stale.
func (e *engine) afterSuccess(r *http.Request, m *mount, rt formats.Route, w *cache.Writer) {
	for _, k := range rt.Invalidate {
		key := m.cacheKey(k)
		e.fills.supersede(key)
		if err := e.store.Delete(key); err != nil {
			requestLogger(r).Warn().Err(err).Str("key", key).Msg("invalidating")
		}
		e.forgetShared(key)
		if e.negative != nil {
			e.negative.Remove(key)
		}
	}
	if w == nil {
		return
	}
	key := m.cacheKey(rt.Key)
	if e.negative != nil {
		e.negative.Remove(key)
	}
	e.fills.supersede(key)
	e.forgetShared(key)
	// Published with the caller's own credentials, it is private content like a fill
	// made with them: other callers get it once the upstream confirms they may.
	publisher := fillSpec{mount: m, route: rt, who: infoOf(r).caller.Key()}
	publisher.private = m.cred.Passthrough && m.cred.AuthFor(r) != ""
	if ups := m.candidates(rt.Package); len(ups) > 0 {
		publisher.source = ups[0].Base.String() // where forward sent it
	}
	_, err := w.Commit(key, cache.Entry{ContentType: rt.ContentType, FetchedAt: e.now(),
		Private: publisher.private, Source: privateSource(publisher)})
	if err != nil {
		requestLogger(r).Warn().Err(err).Str("key", key).Msg("caching published artifact")
		return
	}
	e.grantFiller(publisher)
}

// rewritesPassthrough reports whether f rewrites the answer to rt, a route it made
// of a client's request, before it is relayed. Asked of forwards only.
func rewritesPassthrough(f formats.Format, rt formats.Route) bool {
	pr, ok := f.(formats.PassthroughRewriter)
	return ok && rt.Kind == formats.Passthrough && pr.RewritesPassthrough(rt)
}

// audit writes one line for every publish and delete: who (a token name or
// fingerprint, never the token), what, and the upstream's answer.
func (e *engine) audit(r *http.Request, m *mount, rt formats.Route, status int) {
	action := admission.ScopeFor(m.format, rt)
	if action == policy.ScopeRead { // neither a publish, a delete nor a removal
		return
	}
	c := infoOf(r).caller
	requestLogger(r).Info().Bool("audit", true).Str("who", c.Name()).Str("token_kind", c.TokenKind()).
		Str("action", string(action)).Str("mount", m.name).Str("package", rt.Package).
		Str("key", rt.Key).Str("method", r.Method).Int("status", status).Msg("audit")
}
