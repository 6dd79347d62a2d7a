package proxy

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"hoard/configs"
	"hoard/formats"
	"hoard/policy"
)

// caller is who sent a request, as far as the gate established it.
type caller struct {
	token   string // never logged; empty when anonymous
	verdict policy.Verdict
	// staleAccess: the upstream could not confirm this caller now, and a past
	// confirmation let it read (confirmed.go); what it gets is marked stale.
	staleAccess bool
}

// name identifies the caller in audit lines without revealing the token.
func (c caller) name() string {
	switch {
	case c.verdict.Name != "":
		return c.verdict.Name
	case c.token != "":
		return policy.Fingerprint(c.token)
	}
	return "anonymous"
}

// gate decides, before any body is read or anything is forwarded, whether a request
// may go on: rate limits, then the token and its scopes.
type gate struct {
	mode      string // upstream, local, none
	validator policy.Validator
	limits    *limiter
	hint      string // appended to every 401: what is needed, where configured
	// verdicts keeps good verdicts past the validator's reach (verdicts.go); nil
	// unless tokens are checked upstream.
	verdicts *confirmations
}

// scopeFor is the scope a route needs, as GitHub Packages requires it.
func scopeFor(rt formats.Route) policy.Scope {
	switch {
	case rt.Kind == formats.Delete || rt.Removes:
		return policy.ScopeDelete
	case rt.Kind == formats.Publish:
		return policy.ScopeWrite
	}
	return policy.ScopeRead
}

// admit answers the request itself (429, 401, 403, 503) and returns false when it may
// not go on.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route) (caller, bool) {
	token, hasToken := policy.TokenFrom(r)
	c := caller{token: token}
	if !s.gate.limits.allow(r, token) {
		w.Header().Set("Retry-After", "1")
		s.engine.fail(w, r, m, http.StatusTooManyRequests, "rate limit exceeded; retry later")
		return c, false
	}
	if s.gate.mode == "none" {
		return c, true
	}
	need := scopeFor(rt)
	if !hasToken {
		if m.anonymousRead && need == policy.ScopeRead {
			return c, true
		}
		challenge(w, r, m, "authentication required"+s.gate.hint)
		return c, false
	}
	v, err := s.gate.validator.Validate(r.Context(), token)
	switch {
	case err != nil && s.gate.staleVerdict(r, m, token, need, &c):
		return c, true
	case errors.Is(err, policy.ErrUnavailable) || err != nil:
		requestLogger(r).Warn().Err(err).Msg("token check unavailable")
		s.engine.fail(w, r, m, http.StatusServiceUnavailable, "cannot check the token now; try again")
		return c, false
	case !v.Known:
		challenge(w, r, m, "token is unknown, revoked or expired"+s.gate.hint)
		return c, false
	case v.Delegated:
		// No scopes to check: the upstream decides (delegated.go).
	case !v.Has(need):
		c.verdict = v // names the caller in the audit line of the refusal
		s.engine.fail(w, r, m, http.StatusForbidden, "token lacks the "+string(need)+" scope")
		return c, false
	}
	c.verdict = v
	s.gate.noteVerdict(r, token, v)
	return c, true
}

// challenge answers 401 with the challenge the format's clients expect.
func challenge(w http.ResponseWriter, r *http.Request, m *mount, msg string) {
	ch := `Basic realm="hoard"`
	if f, ok := m.format.(formats.Challenger); ok {
		ch = f.Challenge()
	}
	w.Header().Set("WWW-Authenticate", ch)
	setResult(r, resultError)
	m.format.WriteError(w, r, http.StatusUnauthorized, errors.New(msg))
}

// clientAddr is the peer's IP. Forwarded headers are not trusted: a client could set
// them to dodge its limit.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func newGate(c configs.Config, client *http.Client) (gate, error) {
	g := gate{mode: c.Auth.Mode, limits: newLimiter(c.Limits.PerTokenRPS, c.Limits.PerAddressRPS, c.Limits.Burst), hint: authHint(c)}
	switch c.Auth.Mode {
	case "upstream":
		g.validator = policy.NewUpstreamValidator(c.Auth.ValidateURL, client, c.Auth.VerdictTTL.D())
	case "local":
		g.validator = policy.OpenLocal(c.DataDir, localTokenReload)
	case "none":
	default:
		return g, fmt.Errorf("auth.mode %q is not one of upstream, local, none", c.Auth.Mode)
	}
	return g, nil
}

// localTokenReload is how often the daemon looks for `hoard token` changes.
const localTokenReload = 2 * time.Second
