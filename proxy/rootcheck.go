package proxy

import (
	"context"
	"net/http"
	"sort"

	"hoard/formats"
	"hoard/policy"
)

// An API root (OCI's /v2/) is what `docker login` asks to learn whether its
// credentials are good. Hoard judges most tokens itself; a token that shows no
// scopes (GITHUB_TOKEN, fine-grained tokens) is Known without any check, so the
// upstream is asked instead: the root of a mount behind it, with the caller's own
// credentials, once per token and auth.access_ttl. Without that, a login with any
// such string would succeed and every pull after it be refused.

// refusedAtRoot reports whether the caller's credentials are known to be bad, by
// the gate or, for a token without visible scopes, by the upstream.
func (s *Server) refusedAtRoot(r *http.Request, root *apiRoot) bool {
	token, has := policy.TokenFrom(r)
	if !has || s.gate.mode == "none" || s.gate.validator == nil {
		return false
	}
	v, err := s.gate.validator.Validate(r.Context(), token)
	switch {
	case err != nil:
		return false // the check is unavailable: the requests that follow are checked again
	case !v.Known:
		return true
	case !v.Delegated:
		return false
	}
	m := root.probeMount()
	if m == nil {
		return false
	}
	status, err := s.engine.rootAccess(r, m, token, root.name)
	return err == nil && (status == http.StatusUnauthorized || status == http.StatusForbidden)
}

// probeMount is the mount whose upstream answers for the root: the default mount,
// else the first by name, among those that send the caller's own credentials.
func (root *apiRoot) probeMount() *mount {
	if root.def != nil && root.def.cred.Passthrough {
		return root.def
	}
	names := make([]string, 0, len(root.mounts))
	for name := range root.mounts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if m := root.mounts[name]; m.cred.Passthrough {
			return m
		}
	}
	return nil
}

// rootAccess is the upstream's answer, at m's API root, to the caller's
// credentials: 200, or the refusal it gave. Answers are kept like access checks.
func (e *engine) rootAccess(r *http.Request, m *mount, token, rootName string) (int, error) {
	who := callerKey(token)
	key := accessKey(who, m, "", "") + "|root"
	if status, found := e.access.Get(key); found {
		return status, nil
	}
	if e.offline {
		return 0, errCannotConfirm
	}
	rt := formats.Route{Kind: formats.Passthrough, Path: "/" + rootName + "/"}
	ctx := context.WithoutCancel(r.Context()) // shared by every waiter
	res := e.delegation.flight.do(key, func() accessAnswer {
		status, _, err := e.askUpstreamAs(ctx, m, rt, r.Header.Get("Authorization"), who)
		if err == nil {
			e.access.Add(key, status)
		}
		return accessAnswer{status: status, err: err}
	})
	return res.status, res.err
}
