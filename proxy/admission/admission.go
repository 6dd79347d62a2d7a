// Package admission decides who may do what, before and beside the engine: the
// gate (per-token and per-address rates, the token a request carries and the scope
// its route needs, token verdicts that outlive the validator) and access to private
// content (the upstream's answer, per caller and package, to whether the caller's
// credentials may read it; tokens without visible scopes, which only the upstream
// can judge; confirmations that outlive the upstream).
//
// It decides and remembers; it writes no HTTP answer and sends no upstream request.
// A refusal comes back as a Refusal, which the engine answers in the format's own
// error shape, and an access check asks the upstream through the Ask the engine
// hands it. It imports cache (confirmations are the index's notes), configs,
// formats (what a route is) and policy (tokens, verdicts, scopes); never the engine,
// the upstream transport or a formats/<name> package (proxy's depcheck test holds
// this).
package admission

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/policy"
)

// Caller is who sent a request, as far as the gate established it.
type Caller struct {
	Token   string // never logged; empty when anonymous
	Verdict policy.Verdict
	// StaleAccess: the upstream could not confirm this caller now, and a past
	// confirmation let it read (confirmed.go); what it gets is marked stale.
	StaleAccess bool
}

// Name identifies the caller in audit lines without revealing the token.
func (c Caller) Name() string {
	switch {
	case c.Verdict.Name != "":
		return c.Verdict.Name
	case c.Token != "":
		return policy.Fingerprint(c.Token)
	}
	return "anonymous"
}

// Key names the caller in the access answers, in fills' private entries and in
// negative answers, without keeping the token.
func (c Caller) Key() string { return callerKey(c.Token) }

func callerKey(token string) string {
	if token == "" {
		return "anonymous"
	}
	return policy.TokenHash(token)
}

// Delegated reports whether the upstream decides what the caller may do.
func (c Caller) Delegated() bool { return c.Token != "" && c.Verdict.Delegated }

// TokenKind names the caller's kind of token in audit lines, by prefix ("local" for
// a token of `hoard token`, "none" without one).
func (c Caller) TokenKind() string {
	switch {
	case c.Token == "":
		return "none"
	case c.Verdict.Kind != "":
		return string(c.Verdict.Kind)
	case c.Verdict.Name != "":
		return "local"
	}
	return string(policy.KindOf(c.Token))
}

// Refusal is an answer admission decided and the engine writes in the format's
// error shape; its zero value refuses nothing.
type Refusal struct {
	Status int // 401 goes out with the format's challenge
	Msg    string
	// RetryAfter, when set, is sent as Retry-After.
	RetryAfter string
}

// Refused reports whether there is an answer to write.
func (no Refusal) Refused() bool { return no.Status != 0 }

// Options is what New needs from the server that holds admission's state.
type Options struct {
	Config configs.Config
	// Client asks auth.validate_url (auth.mode upstream).
	Client *http.Client
	// Store keeps confirmations among its notes, so an outage that starts with a
	// restart is covered too.
	Store   *cache.Store
	Metrics prometheus.Registerer
	// Now is the engine's clock, read on every access check (tests move it).
	Now func() time.Time
	Log zerolog.Logger
	// RequestLog is a request's own logger (with its request id).
	RequestLog func(*http.Request) *zerolog.Logger
}

// New makes a server's gate and access checks.
func New(o Options) (*Gate, *Access, error) {
	stale := newStaleCounter(o.Metrics)
	g, err := newGate(o, stale)
	if err != nil {
		return nil, nil, err
	}
	return g, newAccess(o, stale), nil
}

// entriesKept bounds every answer and life kept in memory at once.
const entriesKept = 100_000
