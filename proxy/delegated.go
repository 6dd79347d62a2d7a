package proxy

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"hoard/formats"
	"hoard/policy"
)

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

// delegated reports whether the upstream decides what the caller may do.
func (c caller) delegated() bool { return c.token != "" && c.verdict.Delegated }

// tokenKind names the caller's kind of token in audit lines, by prefix ("local" for
// a token of `hoard token`, "none" without one).
func (c caller) tokenKind() string {
	switch {
	case c.token == "":
		return "none"
	case c.verdict.Kind != "":
		return string(c.verdict.Kind)
	case c.verdict.Name != "":
		return "local"
	}
	return string(policy.KindOf(c.token))
}

// delegation is the engine's state for delegated access checks.
type delegation struct {
	flight accessFlight
	// life holds, per caller key, when the upstream said the token stops working:
	// the time of a 401, or its GitHub-Authentication-Token-Expiration. Entries live
	// as long as access answers, which is all they bound.
	life *expirable.LRU[string, time.Time]
}

func newDelegation(accessTTL time.Duration) *delegation {
	return &delegation{life: expirable.NewLRU[string, time.Time](negativeEntries, nil, accessTTL)}
}

// alive reports whether who's token may still be working at now, as far as known.
func (d *delegation) alive(who string, now time.Time) bool {
	if d == nil {
		return true
	}
	end, ok := d.life.Get(who)
	return !ok || now.Before(end)
}

// learn records what an upstream answer says of a token's life.
func (d *delegation) learn(who string, status int, header http.Header, now time.Time) {
	if d == nil {
		return
	}
	if status == http.StatusUnauthorized {
		d.life.Add(who, now)
		return
	}
	if end, ok := tokenExpiration(header); ok {
		d.life.Add(who, end)
	}
}

// tokenExpiration reads GitHub-Authentication-Token-Expiration ("2021-10-07 19:07:53
// UTC"), which GitHub sends for tokens that expire.
func tokenExpiration(h http.Header) (time.Time, bool) {
	v := h.Get("GitHub-Authentication-Token-Expiration")
	if v == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{"2006-01-02 15:04:05 MST", "2006-01-02 15:04:05 -0700", time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// confirmDelegated returns false, having answered, when a delegated caller may not
// read what rt names. A miss on a mount that sends the caller's own credentials
// needs no separate check: the fill's own request is the upstream's answer.
func (e *engine) confirmDelegated(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route) bool {
	if m.cred.Passthrough && !e.holdsAny(m, rt) {
		return true
	}
	status, stale, err := e.delegatedAccess(r, m, rt)
	switch {
	case err != nil:
		e.cannotConfirm(w, r, m, err)
		return false
	case status == http.StatusUnauthorized:
		challenge(w, r, m, "the upstream does not accept these credentials")
		return false
	case status != http.StatusOK:
		e.fail(w, r, m, status, "the upstream refuses this token access to this package")
		return false
	}
	if stale {
		infoOf(r).caller.staleAccess = true
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

// delegatedAccess is the upstream's answer to whether the caller's own token may
// read rt's package: 200, or the refusal it gave. The caller's own credentials are
// asked about even where the mount sends a service credential upstream.
func (e *engine) delegatedAccess(r *http.Request, m *mount, rt formats.Route) (status int, stale bool, err error) {
	c := infoOf(r).caller
	who := callerKey(c.token)
	if !e.delegation.alive(who, e.now()) {
		return http.StatusUnauthorized, false, nil
	}
	key := accessKey(who, m, rt.Package, "")
	if status, found := e.access.Get(key); found {
		return status, false, nil
	}
	if e.offline {
		return e.staleAccess(m, key, errCannotConfirm)
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		auth = "Bearer " + c.token // NuGet's API key header carried it
	}
	ctx := context.WithoutCancel(r.Context()) // shared by every waiter: no one client ends it
	res := e.delegation.flight.do(key, func() accessAnswer {
		status, _, err := e.askUpstreamAs(ctx, m, rt, auth, who)
		if err == nil {
			e.grant(key, status)
		}
		return accessAnswer{status: status, err: err}
	})
	if res.err != nil {
		return e.staleAccess(m, key, res.err)
	}
	return res.status, false, nil
}

// accessAnswer is one upstream access check's result.
type accessAnswer struct {
	status int
	from   string
	err    error
}

// accessFlight runs one access check per key at a time; callers asking for the same
// key meanwhile wait for its answer instead of asking the upstream again.
type accessFlight struct {
	mu    sync.Mutex
	calls map[string]*accessCall
}

type accessCall struct {
	done    chan struct{}
	res     accessAnswer
	waiters int // callers waiting for this answer besides the one asking (tests read it)
}

func (f *accessFlight) do(key string, check func() accessAnswer) accessAnswer {
	f.mu.Lock()
	if c, ok := f.calls[key]; ok {
		c.waiters++
		f.mu.Unlock()
		<-c.done
		return c.res
	}
	if f.calls == nil {
		f.calls = map[string]*accessCall{}
	}
	c := &accessCall{done: make(chan struct{})}
	f.calls[key] = c
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.res = check()
	return c.res
}
