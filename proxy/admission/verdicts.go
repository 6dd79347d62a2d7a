package admission

import (
	"net/http"
	"time"

	"hoard/policy"
)

// Token verdicts past the validator's reach (auth.mode upstream). A token the
// validator last found good for reading, within auth.verdict_stale, may still read
// while the validator cannot be reached; it never publishes or deletes on such a
// verdict. What it reads is marked stale, like content the upstream could not
// confirm.

// Kinds of good verdict a note records.
const (
	verdictReads     = "r" // the token showed read:packages
	verdictDelegated = "d" // the upstream decides each request (access.go)
)

func confirmedVerdict(token string) string { return "verdict/" + policy.TokenHash(token) }

// noteVerdict keeps a good verdict for reads as a confirmation.
func (g *Gate) noteVerdict(r *http.Request, token string, v policy.Verdict) {
	kind := ""
	switch {
	case !v.Known:
	case v.Delegated:
		kind = verdictDelegated
	case v.Has(policy.ScopeRead):
		kind = verdictReads
	}
	if g.verdicts == nil || kind == "" {
		return
	}
	if err := g.verdicts.confirm(confirmedVerdict(token), []byte(kind), time.Now()); err != nil {
		g.log(r).Warn().Err(err).Msg("recording a token verdict")
	}
}

// staleVerdict admits c for a read, on a good verdict within auth.verdict_stale,
// when the validator could not be asked; it reports whether it did.
func (g *Gate) staleVerdict(r *http.Request, mount, token string, need policy.Scope, c *Caller) bool {
	if g.verdicts == nil || need != policy.ScopeRead {
		return false
	}
	kind, ok := g.verdicts.within(confirmedVerdict(token), time.Now())
	if !ok {
		return false
	}
	v := policy.Verdict{Known: true, Kind: policy.KindOf(token)}
	switch string(kind) {
	case verdictDelegated:
		v.Delegated = true
	case verdictReads:
		v.Scopes = map[policy.Scope]bool{policy.ScopeRead: true}
	default:
		return false
	}
	g.log(r).Warn().Msg("token check unavailable: admitted for reading on its last good verdict")
	g.verdicts.servedStale(mount, "verdict")
	c.Verdict, c.StaleAccess = v, true
	return true
}
