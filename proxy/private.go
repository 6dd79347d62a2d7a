package proxy

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"hoard/formats"
	"hoard/policy"
)

// Private content: when a fill needed the caller's own credentials, the entry is
// marked private, and another caller gets it from the cache only after the upstream
// confirmed, with that caller's credentials, that it may read the package. The answer
// is remembered per caller and package for auth.access_ttl.

// callerKey names a caller in the access cache without keeping the token.
func callerKey(token string) string {
	if token == "" {
		return "anonymous"
	}
	return policy.TokenHash(token)
}

func accessKey(who string, m *mount, pkg string) string { return who + "|" + m.name + "|" + pkg }

// grantFiller remembers that the caller whose credentials filled an entry may read it.
func (e *engine) grantFiller(spec fillSpec) {
	if e.access != nil && spec.private {
		e.access.Add(accessKey(spec.who, spec.mount, spec.route.Package), true)
	}
}

// mayRead reports whether the caller may read private content of rt's package.
func (e *engine) mayRead(r *http.Request, m *mount, rt formats.Route) (bool, error) {
	c := infoOf(r).caller
	key := accessKey(callerKey(c.token), m, rt.Package)
	if ok, found := e.access.Get(key); found {
		return ok, nil
	}
	if e.offline {
		// No upstream to ask: local tokens carry the namespaces they may read.
		return c.verdict.Known && len(c.verdict.Namespaces) > 0 && c.verdict.MayReadNamespace(rt.Package), nil
	}
	ok, err := e.askUpstream(r.Context(), m, rt, m.cred.authFor(r))
	if err != nil {
		return false, err
	}
	e.access.Add(key, ok)
	return ok, nil
}

// askUpstream sends the cheapest request that tells whether credentials may read the
// content: a HEAD of it.
func (e *engine) askUpstream(ctx context.Context, m *mount, rt formats.Route, auth string) (bool, error) {
	ups := m.candidates(rt.Package)
	if len(ups) == 0 {
		return false, errNoUpstream
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := newRequest(ctx, http.MethodHead, ups[0].url(rt.Path, ""), auth, nil)
	if err != nil {
		return false, err
	}
	for k, v := range rt.UpstreamHeader {
		req.Header[k] = v
	}
	start := e.now()
	resp, err := ups[0].do(req)
	e.metrics.upstreamDone(m.name, resp, err, e.now().Sub(start))
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode < 400:
		return true, nil
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden, resp.StatusCode == http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("access check: upstream answered %d", resp.StatusCode)
}

// checkPrivate answers with a 404 that reveals nothing (or 502 when the upstream
// cannot be asked) and returns false when the caller may not read the content.
func (e *engine) checkPrivate(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route) bool {
	ok, err := e.mayRead(r, m, rt)
	if err != nil {
		requestLogger(r).Warn().Err(err).Msg("private content access check failed")
		e.fail(w, r, m, http.StatusBadGateway, "cannot confirm access with the upstream")
		return false
	}
	if !ok {
		e.fail(w, r, m, http.StatusNotFound, "not found")
		return false
	}
	return true
}
