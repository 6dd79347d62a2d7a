package proxy

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"hoard/cache"
	"hoard/formats"
	"hoard/proxy/admission"
	"hoard/proxy/upstream"
)

// Private content and delegated tokens are judged by admission (see
// proxy/admission/access.go); what stays here is what the engine knows: which
// upstreams a package has, what the cache holds, and how the upstream is asked.

// grouped reports whether a package has more than one candidate upstream.
func grouped(m *mount, pkg string) bool { return len(m.candidates(pkg)) > 1 }

// subject is what an access check of pkg on m is about.
func subject(m *mount, pkg string) admission.Subject {
	return admission.Subject{Mount: m.name, Package: pkg, Grouped: grouped(m, pkg)}
}

// privateSource is the upstream a private entry records: the fill's, in a group.
func privateSource(spec fillSpec) string {
	if spec.private && grouped(spec.mount, spec.route.Package) {
		return spec.source
	}
	return ""
}

// grantFiller remembers that the caller whose credentials filled an entry may read it.
func (e *engine) grantFiller(spec fillSpec) {
	if spec.private {
		e.access.GrantFiller(spec.who, subject(spec.mount, spec.route.Package), privateSource(spec))
	}
}

// checkPrivate returns false, having answered, when the caller may not read the
// private entry (admission decides how it is refused). miss is true when the entry
// is not the caller's content (admission.ErrOtherUpstream): the request is then
// served as a miss.
func (e *engine) checkPrivate(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route, entry cache.Entry) (ok, miss bool) {
	ri := infoOf(r)
	no, miss := e.access.CheckPrivate(r, &ri.caller, subject(m, rt.Package), entry.Source, m.cred.AuthFor(r), e.asker(m, rt))
	if no.Refused() {
		e.refuse(w, r, m, no)
		return false, false
	}
	return true, miss
}

// confirmDelegated returns false, having answered, when a delegated caller may not
// read what rt names. A miss on a mount that sends the caller's own credentials
// needs no separate check: the fill's own request is the upstream's answer.
func (e *engine) confirmDelegated(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route) bool {
	if m.cred.Passthrough && !e.holdsAny(m, rt) {
		return true
	}
	ri := infoOf(r)
	if no := e.access.CheckDelegated(r, &ri.caller, subject(m, rt.Package), e.asker(m, rt)); no.Refused() {
		e.refuse(w, r, m, no)
		return false
	}
	return true
}

// holdsAny reports whether the cache could answer rt without a fill.
func (e *engine) holdsAny(m *mount, rt formats.Route) bool {
	if _, err := e.store.Lookup(m.cacheKey(rt.Key)); err == nil {
		return true
	}
	if a, ok := m.format.(formats.Alternator); ok {
		for _, k := range a.Alternates(rt) {
			if _, err := e.store.Lookup(m.cacheKey(k)); err == nil {
				return true
			}
		}
	}
	return false
}

// asker is how admission asks m's upstreams about rt.
func (e *engine) asker(m *mount, rt formats.Route) admission.Ask {
	return func(ctx context.Context, auth, who string) (int, string, error) {
		return e.askUpstreamAs(ctx, m, rt, auth, who)
	}
}

// askUpstreamAs sends the cheapest request that tells whether credentials (those of
// the caller who) may read the content: a HEAD of it, to the upstreams in the order
// a fill asks them (the next one after a 404, in a group). from is the upstream whose
// answer counts; status is 200 or the refusal as the upstream gave it. What the
// answer says of the token's life is told to admission.
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
		e.access.Learn(who, resp.StatusCode, resp.Header)
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
