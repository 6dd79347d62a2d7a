package admission

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
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
//
// Delegated tokens: GITHUB_TOKEN and the other installation, user-to-server and
// fine-grained tokens show no scopes, so Hoard cannot tell what they may do; the
// upstream registry is the authority. Their publishes and deletes are forwarded and
// the upstream's answer relayed (the cache changes only after a 2xx, as for every
// caller). Their reads of anything Hoard holds are served only once the upstream
// answered, to this token, that it may read this package: one request, remembered per
// token and package for auth.access_ttl, never past the token's life, and shared by
// every request that needs the same answer at the same moment (GITHUB_TOKEN has
// 1,000 API calls an hour per repository). A refusal is relayed as the upstream
// said it: 401, 403 or 404.

// Access holds a server's access checks: the upstream's answers, the checks in
// flight, what is known of tokens' lives, and confirmations that outlive the
// upstream.
type Access struct {
	answers   *expirable.LRU[string, int] // caller|mount|package -> the upstream's answer
	flight    flight
	life      *lives
	confirmed *confirmations // yes answers that outlive the upstream
	offline   bool
	now       func() time.Time
	log       zerolog.Logger
	reqLog    func(*http.Request) *zerolog.Logger
}

func newAccess(o Options, stale *prometheus.CounterVec) *Access {
	ttl := o.Config.Auth.AccessTTL.D()
	return &Access{
		answers:   expirable.NewLRU[string, int](entriesKept, nil, ttl),
		life:      newLives(ttl),
		confirmed: newConfirmations(o.Store, o.Config.Auth.AccessStale.D(), stale),
		offline:   o.Config.Offline, now: o.Now, log: o.Log, reqLog: o.RequestLog,
	}
}

// Subject is what an access check is about: a package of a mount, and whether it
// has several candidate upstreams (a group).
type Subject struct {
	Mount, Package string
	Grouped        bool
}

// key names what the access answers remember: a caller's access to a package (in
// a group, to its content at one upstream).
func (s Subject) key(who, source string) string {
	k := who + "|" + s.Mount + "|" + s.Package
	if s.Grouped {
		k += "|" + source
	}
	return k
}

// Ask sends the cheapest request that tells whether credentials auth (those of the
// caller who) may read what is checked: status is 200 or the refusal as the
// upstream gave it (401, 403, 404), from the upstream whose answer counts. The
// engine sends it, and tells Learn what each answer says of the token's life.
type Ask func(ctx context.Context, auth, who string) (status int, from string, err error)

// ErrOtherUpstream: in a group, the caller's credentials reach another upstream than
// the one a private entry came from, so the entry is not what the caller would get.
var ErrOtherUpstream = errors.New("private content came from another upstream of the group")

// errCannotConfirm: the upstream cannot answer an access check now and the caller
// was never confirmed (within auth.access_stale).
var errCannotConfirm = errors.New("the upstream cannot confirm access to this package now, and this caller's access was never confirmed; try again when it answers")

// GrantFiller remembers that the caller who, whose credentials filled (or published)
// a private entry of s from source, may read it.
func (a *Access) GrantFiller(who string, s Subject, source string) {
	if a != nil {
		a.grant(s.key(who, source), http.StatusOK)
	}
}

// grant remembers the upstream's answer to an access check; a yes is also kept as
// a confirmation that outlives the upstream (confirmed.go).
func (a *Access) grant(key string, status int) {
	a.answers.Add(key, status)
	if status == http.StatusOK {
		if err := a.confirmed.confirm(confirmedAccess(key), nil, a.now()); err != nil {
			a.log.Warn().Err(err).Msg("recording an access confirmation")
		}
	}
}

// confirmedAccess names an access confirmation among the cache's notes.
func confirmedAccess(key string) string { return "access/" + key }

// CheckPrivate judges whether c may read a private entry of s that came from
// source, auth being the credentials the mount sends upstream for c: a refusal to
// answer (a caller whose credentials, or lack of them, the upstream does not accept
// is challenged, since Maven and Gradle send theirs only after a 401; one the
// upstream refuses gets a 404 that reveals nothing, or, when delegated, the
// upstream's own refusal; 503 when the upstream cannot be asked and c has no
// confirmation within auth.access_stale). miss is true when the entry is not c's
// content (ErrOtherUpstream): the request is then served as a miss. c is marked
// stale when a past confirmation let it through.
func (a *Access) CheckPrivate(r *http.Request, c *Caller, s Subject, source, auth string, ask Ask) (no Refusal, miss bool) {
	status, stale, err := a.mayRead(r, *c, s, source, auth, ask)
	switch {
	case errors.Is(err, ErrOtherUpstream):
		return Refusal{}, true
	case err != nil && auth == "":
		// The upstream cannot say whether anonymous callers may read this: ask for
		// credentials, which Maven and Gradle send only after a challenge.
		return Refusal{Status: http.StatusUnauthorized, Msg: "authentication required"}, false
	case err != nil:
		return a.cannotConfirm(r, err), false
	case status == http.StatusUnauthorized:
		return Refusal{Status: http.StatusUnauthorized, Msg: "the upstream does not accept these credentials"}, false
	case status != http.StatusOK && c.Delegated():
		return Refusal{Status: status, Msg: "the upstream refuses this token access to this package"}, false
	case status != http.StatusOK:
		return Refusal{Status: http.StatusNotFound, Msg: "not found"}, false
	}
	if stale {
		c.StaleAccess = true
	}
	return Refusal{}, false
}

// mayRead answers whether c may read the private entry of s from source: 200 yes,
// or the upstream's refusal (401 it does not accept the caller's credentials, 403
// or 404 no); ErrOtherUpstream when the entry is not the caller's content at all.
// Checks of the same caller and package at the same moment share one upstream
// request. stale is true when the upstream could not answer and a past
// confirmation says yes.
func (a *Access) mayRead(r *http.Request, c Caller, s Subject, source, auth string, ask Ask) (status int, stale bool, err error) {
	who := c.Key()
	if !a.life.alive(who, a.now()) {
		return http.StatusUnauthorized, false, nil
	}
	key := s.key(who, source)
	if status, found := a.answers.Get(key); found {
		return status, false, nil
	}
	if a.offline {
		// No upstream to ask: local tokens carry the namespaces they may read.
		if c.Verdict.Known && len(c.Verdict.Namespaces) > 0 {
			if c.Verdict.MayReadNamespace(s.Package) {
				return http.StatusOK, false, nil
			}
			return http.StatusNotFound, false, nil
		}
		return a.staleAccess(s.Mount, key, errCannotConfirm)
	}
	ctx := context.WithoutCancel(r.Context()) // shared by every waiter: no one client ends it
	res := a.flight.do(key, func() answer {
		status, from, err := ask(ctx, auth, who)
		return answer{status: status, from: from, err: err}
	})
	if res.err != nil {
		return a.staleAccess(s.Mount, key, res.err)
	}
	if res.status == http.StatusOK && s.Grouped && res.from != source {
		return 0, false, ErrOtherUpstream
	}
	a.grant(key, res.status)
	return res.status, false, nil
}

// CheckDelegated judges whether a delegated caller c may read what s names: the
// refusal to answer, or none, with c marked stale when a past confirmation let it
// through. The caller's own credentials are asked about even where the mount sends
// a service credential upstream.
func (a *Access) CheckDelegated(r *http.Request, c *Caller, s Subject, ask Ask) Refusal {
	status, stale, err := a.delegatedAccess(r, *c, s, ask)
	switch {
	case err != nil:
		return a.cannotConfirm(r, err)
	case status == http.StatusUnauthorized:
		return Refusal{Status: http.StatusUnauthorized, Msg: "the upstream does not accept these credentials"}
	case status != http.StatusOK:
		return Refusal{Status: status, Msg: "the upstream refuses this token access to this package"}
	}
	if stale {
		c.StaleAccess = true
	}
	return Refusal{}
}

// delegatedAccess is the upstream's answer to whether c's own token may read s's
// package: 200, or the refusal it gave.
func (a *Access) delegatedAccess(r *http.Request, c Caller, s Subject, ask Ask) (status int, stale bool, err error) {
	who := c.Key()
	if !a.life.alive(who, a.now()) {
		return http.StatusUnauthorized, false, nil
	}
	key := s.key(who, "")
	if status, found := a.answers.Get(key); found {
		return status, false, nil
	}
	if a.offline {
		return a.staleAccess(s.Mount, key, errCannotConfirm)
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		auth = "Bearer " + c.Token // NuGet's API key header carried it
	}
	ctx := context.WithoutCancel(r.Context()) // shared by every waiter: no one client ends it
	res := a.flight.do(key, func() answer {
		status, _, err := ask(ctx, auth, who)
		if err == nil {
			a.grant(key, status)
		}
		return answer{status: status, err: err}
	})
	if res.err != nil {
		return a.staleAccess(s.Mount, key, res.err)
	}
	return res.status, false, nil
}

// AtRoot is the upstream's answer, at the API root of s's mount, to the
// credentials token came with (Gate.AtRoot): 200, or the refusal it gave. Answers
// are kept like access checks.
func (a *Access) AtRoot(r *http.Request, token string, s Subject, ask Ask) (int, error) {
	who := callerKey(token)
	key := s.key(who, "") + "|root"
	if status, found := a.answers.Get(key); found {
		return status, nil
	}
	if a.offline {
		return 0, errCannotConfirm
	}
	auth := r.Header.Get("Authorization")
	ctx := context.WithoutCancel(r.Context()) // shared by every waiter
	res := a.flight.do(key, func() answer {
		status, _, err := ask(ctx, auth, who)
		if err == nil {
			a.answers.Add(key, status)
		}
		return answer{status: status, err: err}
	})
	return res.status, res.err
}

// staleAccess answers an access check the upstream could not: yes, marked stale,
// when key was confirmed within auth.access_stale, else err.
func (a *Access) staleAccess(mount, key string, err error) (int, bool, error) {
	if _, ok := a.confirmed.within(confirmedAccess(key), a.now()); ok {
		a.confirmed.servedStale(mount, "access")
		return http.StatusOK, true, nil
	}
	return 0, false, err
}

// cannotConfirm is the answer to a caller whose access the upstream cannot confirm
// now and who has no confirmation to fall back on: 503, never a 502 (nothing is
// wrong with what the upstream sent).
func (a *Access) cannotConfirm(r *http.Request, err error) Refusal {
	a.reqLog(r).Warn().Err(err).Msg("access check: the upstream cannot confirm access")
	msg := errCannotConfirm.Error()
	if a.offline {
		msg = "the gateway is offline and cannot confirm access to this package, and this caller's access was never confirmed"
	}
	return Refusal{Status: http.StatusServiceUnavailable, Msg: msg}
}
