package proxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"hoard/cache"
	"hoard/formats"
	"hoard/policy"
	"hoard/proxy/upstream"
)

// Private content: when a fill needed the caller's own credentials, the entry is
// marked private, and another caller gets it from the cache only after the upstream
// confirmed, with that caller's credentials, that it may read the package. The answer
// is remembered per caller and package for auth.access_ttl.
//
// In a repository group (a package with several candidate upstreams) each upstream
// may hold different content at the same path, and which one a fill reaches depends
// on whose credentials it sends. A private entry there records the upstream it came
// from, and is another caller's only if that caller's credentials reach the same
// upstream first; otherwise the caller's request is a miss, filled with its own.

// callerKey names a caller in the access cache without keeping the token.
func callerKey(token string) string {
	if token == "" {
		return "anonymous"
	}
	return policy.TokenHash(token)
}

// grouped reports whether a package has more than one candidate upstream.
func grouped(m *mount, pkg string) bool { return len(m.candidates(pkg)) > 1 }

// privateSource is the upstream a private entry records: the fill's, in a group.
func privateSource(spec fillSpec) string {
	if spec.private && grouped(spec.mount, spec.route.Package) {
		return spec.source
	}
	return ""
}

// accessKey names what the access cache remembers: a caller's access to a package
// (in a group, to its content at one upstream).
func accessKey(who string, m *mount, pkg, source string) string {
	k := who + "|" + m.name + "|" + pkg
	if grouped(m, pkg) {
		k += "|" + source
	}
	return k
}

// grantFiller remembers that the caller whose credentials filled an entry may read it.
func (e *engine) grantFiller(spec fillSpec) {
	if e.access != nil && spec.private {
		e.grant(accessKey(spec.who, spec.mount, spec.route.Package, privateSource(spec)), http.StatusOK)
	}
}

// grant remembers the upstream's answer to an access check; a yes is also kept as
// a confirmation that outlives the upstream (confirmed.go).
func (e *engine) grant(key string, status int) {
	e.access.Add(key, status)
	if status == http.StatusOK {
		if err := e.confirmed.confirm(confirmedAccess(key), nil, e.now()); err != nil {
			e.log.Warn().Err(err).Msg("recording an access confirmation")
		}
	}
}

// confirmedAccess names an access confirmation among the cache's notes.
func confirmedAccess(key string) string { return "access/" + key }

// errOtherUpstream: in a group, the caller's credentials reach another upstream than
// the one a private entry came from, so the entry is not what the caller would get.
var errOtherUpstream = errors.New("private content came from another upstream of the group")

// errCannotConfirm: the upstream cannot answer an access check now and the caller
// was never confirmed (within auth.access_stale).
var errCannotConfirm = errors.New("the upstream cannot confirm access to this package now, and this caller's access was never confirmed; try again when it answers")

// mayRead answers whether the caller may read the private entry of rt: 200 yes, or
// the upstream's refusal (401 it does not accept the caller's credentials, 403 or 404
// no); errOtherUpstream when the entry is not the caller's content at all. Checks of
// the same caller and package at the same moment share one upstream request. stale
// is true when the upstream could not answer and a past confirmation says yes.
func (e *engine) mayRead(r *http.Request, m *mount, rt formats.Route, entry cache.Entry) (status int, stale bool, err error) {
	c := infoOf(r).caller
	who := callerKey(c.token)
	if !e.delegation.alive(who, e.now()) {
		return http.StatusUnauthorized, false, nil
	}
	key := accessKey(who, m, rt.Package, entry.Source)
	if status, found := e.access.Get(key); found {
		return status, false, nil
	}
	if e.offline {
		// No upstream to ask: local tokens carry the namespaces they may read.
		if c.verdict.Known && len(c.verdict.Namespaces) > 0 {
			if c.verdict.MayReadNamespace(rt.Package) {
				return http.StatusOK, false, nil
			}
			return http.StatusNotFound, false, nil
		}
		return e.staleAccess(m, key, errCannotConfirm)
	}
	auth := m.cred.AuthFor(r)
	ctx := context.WithoutCancel(r.Context()) // shared by every waiter: no one client ends it
	res := e.delegation.flight.do(key, func() accessAnswer {
		status, from, err := e.askUpstreamAs(ctx, m, rt, auth, who)
		return accessAnswer{status: status, from: from, err: err}
	})
	if res.err != nil {
		return e.staleAccess(m, key, res.err)
	}
	if res.status == http.StatusOK && grouped(m, rt.Package) && res.from != entry.Source {
		return 0, false, errOtherUpstream
	}
	e.grant(key, res.status)
	return res.status, false, nil
}

// staleAccess answers an access check the upstream could not: yes, marked stale,
// when key was confirmed within auth.access_stale, else err.
func (e *engine) staleAccess(m *mount, key string, err error) (int, bool, error) {
	if _, ok := e.confirmed.within(confirmedAccess(key), e.now()); ok {
		e.confirmed.servedStale(m.name, "access")
		return http.StatusOK, true, nil
	}
	return 0, false, err
}

// askUpstreamAs sends the cheapest request that tells whether credentials (those of
// the caller who) may read the content: a HEAD of it, to the upstreams in the order
// a fill asks them (the next one after a 404, in a group). from is the upstream whose
// answer counts; status is 200 or the refusal as the upstream gave it. What the
// answer says of the token's life is remembered.
func (e *engine) askUpstreamAs(ctx context.Context, m *mount, rt formats.Route, auth, who string) (status int, from string, err error) {
	ups := m.candidates(rt.Package)
	if len(ups) == 0 {
		return 0, "", errNoUpstream
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ctx = upstream.WithHeaderBudget(ctx) // the upstreams of a group share it
	for i, u := range ups {
		req, err := upstream.NewRequest(ctx, http.MethodHead, u.URL(rt.Path, ""), auth, nil)
		if err != nil {
			return 0, "", err
		}
		for k, v := range rt.UpstreamHeader {
			req.Header[k] = v
		}
		start := e.now()
		resp, err := u.Do(req)
		e.metrics.upstreamDone(m.name, resp, err, e.now().Sub(start))
		if err != nil {
			return 0, "", err
		}
		resp.Body.Close()
		from = u.Base.String()
		e.delegation.learn(who, resp.StatusCode, resp.Header, e.now())
		switch code := resp.StatusCode; {
		case code == http.StatusNotFound && i < len(ups)-1:
			continue
		case code < 400:
			return http.StatusOK, from, nil
		case code == http.StatusUnauthorized, code == http.StatusForbidden, code == http.StatusNotFound:
			return code, from, nil
		default:
			return 0, "", fmt.Errorf("access check: upstream answered %d", code)
		}
	}
	return http.StatusNotFound, from, nil
}

// checkPrivate returns false, having answered, when the caller may not read the
// content: a caller whose credentials (or lack of them) the upstream does not accept
// is challenged (Maven and Gradle send theirs only after a 401); one the upstream
// refuses gets a 404 that reveals nothing (a delegated caller, the upstream's own
// refusal: it is the authority); 503 when the upstream cannot be asked and the
// caller has no confirmation within auth.access_stale (see confirmed.go).
// miss is true when the entry is not the caller's content (see errOtherUpstream):
// the request is then served as a miss.
func (e *engine) checkPrivate(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route, entry cache.Entry) (ok, miss bool) {
	status, stale, err := e.mayRead(r, m, rt, entry)
	switch {
	case errors.Is(err, errOtherUpstream):
		return true, true
	case err != nil && m.cred.AuthFor(r) == "":
		// The upstream cannot say whether anonymous callers may read this: ask for
		// credentials, which Maven and Gradle send only after a challenge.
		challenge(w, r, m, "authentication required")
		return false, false
	case err != nil:
		e.cannotConfirm(w, r, m, err)
		return false, false
	case status == http.StatusUnauthorized:
		challenge(w, r, m, "the upstream does not accept these credentials")
		return false, false
	case status != http.StatusOK && infoOf(r).caller.delegated():
		e.fail(w, r, m, status, "the upstream refuses this token access to this package")
		return false, false
	case status != http.StatusOK:
		e.fail(w, r, m, http.StatusNotFound, "not found")
		return false, false
	}
	if stale {
		infoOf(r).caller.staleAccess = true
	}
	return true, false
}

// cannotConfirm answers a caller whose access the upstream cannot confirm now and
// who has no confirmation to fall back on: 503, with the upstream's Retry-After
// where it gave one, never a 502 (nothing is wrong with what the upstream sent).
func (e *engine) cannotConfirm(w http.ResponseWriter, r *http.Request, m *mount, err error) {
	requestLogger(r).Warn().Err(err).Msg("access check: the upstream cannot confirm access")
	msg := errCannotConfirm.Error()
	if e.offline {
		msg = "the gateway is offline and cannot confirm access to this package, and this caller's access was never confirmed"
	}
	e.fail(w, r, m, http.StatusServiceUnavailable, msg)
}
