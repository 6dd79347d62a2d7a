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
		e.access.Add(accessKey(spec.who, spec.mount, spec.route.Package), http.StatusOK)
	}
}

// mayRead answers whether the caller may read private content of rt's package:
// 200 yes, 401 the upstream does not accept the caller's credentials, 404 no.
func (e *engine) mayRead(r *http.Request, m *mount, rt formats.Route) (int, error) {
	c := infoOf(r).caller
	key := accessKey(callerKey(c.token), m, rt.Package)
	if status, found := e.access.Get(key); found {
		return status, nil
	}
	if e.offline {
		// No upstream to ask: local tokens carry the namespaces they may read.
		if c.verdict.Known && len(c.verdict.Namespaces) > 0 && c.verdict.MayReadNamespace(rt.Package) {
			return http.StatusOK, nil
		}
		return http.StatusNotFound, nil
	}
	status, err := e.askUpstream(r.Context(), m, rt, m.cred.authFor(r))
	if err != nil {
		return 0, err
	}
	e.access.Add(key, status)
	return status, nil
}

// askUpstream sends the cheapest request that tells whether credentials may read the
// content: a HEAD of it.
func (e *engine) askUpstream(ctx context.Context, m *mount, rt formats.Route, auth string) (int, error) {
	ups := m.candidates(rt.Package)
	if len(ups) == 0 {
		return 0, errNoUpstream
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := newRequest(ctx, http.MethodHead, ups[0].url(rt.Path, ""), auth, nil)
	if err != nil {
		return 0, err
	}
	for k, v := range rt.UpstreamHeader {
		req.Header[k] = v
	}
	start := e.now()
	resp, err := ups[0].do(req)
	e.metrics.upstreamDone(m.name, resp, err, e.now().Sub(start))
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode < 400:
		return http.StatusOK, nil
	case resp.StatusCode == http.StatusUnauthorized:
		return http.StatusUnauthorized, nil
	case resp.StatusCode == http.StatusForbidden, resp.StatusCode == http.StatusNotFound:
		return http.StatusNotFound, nil
	}
	return 0, fmt.Errorf("access check: upstream answered %d", resp.StatusCode)
}

// checkPrivate returns false, having answered, when the caller may not read the
// content: a caller whose credentials (or lack of them) the upstream does not accept
// is challenged (Maven and Gradle send theirs only after a 401); one the
// upstream refuses gets a 404 that reveals nothing; 502 when the upstream cannot be
// asked.
func (e *engine) checkPrivate(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route) bool {
	status, err := e.mayRead(r, m, rt)
	switch {
	case err != nil && m.cred.authFor(r) == "":
		// The upstream cannot say whether anonymous callers may read this: ask for
		// credentials, which Maven and Gradle send only after a challenge.
		challenge(w, r, m, "authentication required")
		return false
	case err != nil:
		requestLogger(r).Warn().Err(err).Msg("private content access check failed")
		e.fail(w, r, m, http.StatusBadGateway, "cannot confirm access with the upstream")
		return false
	case status == http.StatusUnauthorized:
		challenge(w, r, m, "the upstream does not accept these credentials")
		return false
	case status != http.StatusOK:
		e.fail(w, r, m, http.StatusNotFound, "not found")
		return false
	}
	return true
}
