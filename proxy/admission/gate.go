package admission

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"hoard/configs"
	"hoard/formats"
	"hoard/policy"
)

// Gate decides, before any body is read or anything is forwarded, whether a request
// may go on: rate limits, then the token and its scopes.
type Gate struct {
	mode      string // upstream, local, none
	validator policy.Validator
	limits    *limiter
	hint      string // appended to every 401: what is needed, where configured
	// verdicts keeps good verdicts past the validator's reach (verdicts.go); nil
	// unless tokens are checked upstream.
	verdicts *confirmations
	log      func(*http.Request) *zerolog.Logger
}

// localTokenReload is how often the daemon looks for `hoard token` changes.
const localTokenReload = 2 * time.Second

func newGate(o Options, stale *prometheus.CounterVec) (*Gate, error) {
	c := o.Config
	g := &Gate{mode: c.Auth.Mode, limits: newLimiter(c.Limits.PerTokenRPS, c.Limits.PerAddressRPS, c.Limits.Burst),
		hint: authHint(c), log: o.RequestLog}
	switch c.Auth.Mode {
	case "upstream":
		g.validator = policy.NewUpstreamValidator(c.Auth.ValidateURL, o.Client, c.Auth.VerdictTTL.D())
		g.verdicts = newConfirmations(o.Store, c.Auth.VerdictStale.D(), stale)
	case "local":
		g.validator = policy.OpenLocal(c.DataDir, localTokenReload)
	case "none":
	default:
		return nil, fmt.Errorf("auth.mode %q is not one of upstream, local, none", c.Auth.Mode)
	}
	return g, nil
}

// ScopeFor is the scope a route of f needs, as GitHub Packages requires it: a
// request that removes content though it is not a Delete (formats.Remover) needs
// the delete scope. Reads of cacheable content never ask the format.
func ScopeFor(f formats.Format, rt formats.Route) policy.Scope {
	switch rt.Kind {
	case formats.Artifact, formats.Metadata:
		return policy.ScopeRead
	case formats.Delete:
		return policy.ScopeDelete
	}
	if rm, ok := f.(formats.Remover); ok && rm.Removes(rt) {
		return policy.ScopeDelete
	}
	if rt.Kind == formats.Publish {
		return policy.ScopeWrite
	}
	return policy.ScopeRead
}

// Admit judges a request to mount that needs the scope need: the caller, and the
// refusal to answer (429, 401, 403, 503) when it may not go on. anonymousRead lets
// a caller without a token read.
func (g *Gate) Admit(r *http.Request, mount string, need policy.Scope, anonymousRead bool) (Caller, Refusal) {
	token, hasToken := policy.TokenFrom(r)
	c := Caller{Token: token}
	if !g.limits.allow(r, token) {
		return c, Refusal{Status: http.StatusTooManyRequests, Msg: "rate limit exceeded; retry later", RetryAfter: "1"}
	}
	if g.mode == "none" {
		return c, Refusal{}
	}
	if !hasToken {
		if anonymousRead && need == policy.ScopeRead {
			return c, Refusal{}
		}
		return c, Refusal{Status: http.StatusUnauthorized, Msg: "authentication required" + g.hint}
	}
	v, err := g.validator.Validate(r.Context(), token)
	switch {
	case err != nil && g.staleVerdict(r, mount, token, need, &c):
		return c, Refusal{}
	case errors.Is(err, policy.ErrUnavailable) || err != nil:
		g.log(r).Warn().Err(err).Msg("token check unavailable")
		return c, Refusal{Status: http.StatusServiceUnavailable, Msg: "cannot check the token now; try again"}
	case !v.Known:
		return c, Refusal{Status: http.StatusUnauthorized, Msg: "token is unknown, revoked or expired" + g.hint}
	case v.Delegated:
		// No scopes to check: the upstream decides (access.go).
	case !v.Has(need):
		c.Verdict = v // names the caller in the audit line of the refusal
		return c, Refusal{Status: http.StatusForbidden, Msg: "token lacks the " + string(need) + " scope"}
	}
	c.Verdict = v
	g.noteVerdict(r, token, v)
	return c, Refusal{}
}

// An API root (OCI's /v2/) is what `docker login` asks to learn whether its
// credentials are good. Hoard judges most tokens itself; a token that shows no
// scopes (GITHUB_TOKEN, fine-grained tokens) is Known without any check, so the
// upstream is asked instead (Access.AtRoot). Without that, a login with any such
// string would succeed and every pull after it be refused.

// AtRoot judges the credentials a request to an API root carries: refused when the
// gate knows them bad, ask when only the upstream can tell (a token without visible
// scopes), token being the one it carried.
func (g *Gate) AtRoot(r *http.Request) (token string, refused, ask bool) {
	token, has := policy.TokenFrom(r)
	if !has || g.mode == "none" || g.validator == nil {
		return token, false, false
	}
	v, err := g.validator.Validate(r.Context(), token)
	switch {
	case err != nil:
		return token, false, false // the check is unavailable: the requests that follow are checked again
	case !v.Known:
		return token, true, false
	case !v.Delegated:
		return token, false, false
	}
	return token, false, true
}

// authHint ends a 401's message with what the gateway needs and where that is
// configured: a client's own error ("Incorrect or missing password") says neither,
// and an operator who mirrors a public registry must learn that token checks are on.
func authHint(c configs.Config) string {
	const public = "; to serve without tokens set auth.mode: none (--auth none), or mounts[].anonymous_read: true for reads"
	switch c.Auth.Mode {
	case "upstream":
		return fmt.Sprintf(" (auth.mode is upstream: send a token with the read:packages scope as the password or bearer token; "+
			"it is checked with %s%s)", c.Auth.ValidateURL, public)
	case "local":
		return " (auth.mode is local: send a token made with `hoard token create` as the password or bearer token" + public + ")"
	}
	return ""
}
