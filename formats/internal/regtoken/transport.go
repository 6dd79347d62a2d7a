// Package regtoken is the registry token protocol (the Docker token dance) as an
// http.RoundTripper: Basic credentials are exchanged at the upstream's token realm for
// a bearer token of the scope each request needs. It knows no cache and no format; a
// format names it (formats.UpstreamTransporter) and supplies the scope of a request
// and the shape of a refusal. It imports only the standard library and an LRU.
package regtoken

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// Config describes the upstreams a Transport speaks the protocol to.
type Config struct {
	// Upstreams are the registries' base URLs; requests to any other host (a redirect
	// to object storage) go without Authorization.
	Upstreams []*url.URL
	// TokenRealms are hosts besides the upstreams' own whose token servers may
	// receive credentials; any other realm gets anonymous token requests only.
	TokenRealms []string
	// Scope is the token scope a request needs ("repository:NAME:pull"); "" asks for
	// a token of no scope.
	Scope func(req *http.Request) string
	// Refused is what the client gets when the token server refuses the credentials:
	// a 401 in the protocol's error shape, which makes the client offer better ones.
	Refused func(msg string) *http.Response
	// UserAgent is sent with the pings and token requests the transport makes itself.
	UserAgent string
}

// Transport speaks the registry token protocol to a mount's upstreams. The
// request's Authorization is the credential to use (the caller's, or the mount's
// own): Basic credentials are exchanged at the upstream's token realm for a token of
// the scope the request needs (none: an anonymous token, which public images take),
// and tokens are kept until they expire, per credential and scope. Requests to any
// other host (a redirect to object storage) go without Authorization.
type Transport struct {
	base     http.RoundTripper
	upstream map[string]*url.URL // by host:port
	cfg      Config
	now      func() time.Time

	mu       sync.Mutex
	pings    map[string]pinged // challenge learnt from GET /v2/, by host
	tokens   *expirable.LRU[string, cachedToken]
	fetching map[string]*tokenCall // token requests in flight, by tokenKey
	renewing map[string]bool       // hosts whose challenge is being learnt again
}

// tokenCall is one token request that every caller needing that token waits for.
type tokenCall struct {
	done    chan struct{}
	tok     string
	refused *http.Response
	err     error
}

type pinged struct {
	ch authChallenge
	at time.Time
}

type cachedToken struct {
	value   string
	expires time.Time
}

const (
	pingTTL      = 10 * time.Minute
	maxTokens    = 10_000
	tokenMaxLife = time.Hour
	// defaultTokenLife is what the token spec says to assume without expires_in.
	defaultTokenLife = 60 * time.Second
	maxTokenBody     = 1 << 20
)

// New returns a Transport that sends through base.
func New(base http.RoundTripper, cfg Config) *Transport {
	t := &Transport{base: base, cfg: cfg, upstream: map[string]*url.URL{}, now: time.Now, pings: map[string]pinged{},
		tokens:   expirable.NewLRU[string, cachedToken](maxTokens, nil, tokenMaxLife),
		fetching: map[string]*tokenCall{}, renewing: map[string]bool{}}
	for _, u := range cfg.Upstreams {
		t.upstream[u.Host] = u
	}
	return t
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	up, ours := t.upstream[req.URL.Host]
	if !ours {
		if req.Header.Get("Authorization") == "" {
			return t.base.RoundTrip(req)
		}
		out := req.Clone(req.Context())
		out.Header.Del("Authorization")
		return t.base.RoundTrip(out)
	}
	cred := req.Header.Get("Authorization")
	ch, err := t.challenge(req.Context(), up)
	if err != nil {
		return nil, err
	}
	if ch.scheme != "bearer" || strings.HasPrefix(strings.ToLower(cred), "bearer ") {
		// No token protocol upstream, or the caller holds a token already: the
		// credential goes as it is.
		return t.base.RoundTrip(req)
	}
	scope := t.cfg.Scope(req)
	resp, err := t.withToken(req, up, ch, cred, scope)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	// The token did not do: it expired early, or the upstream wants another scope.
	// Once more with a fresh token for the scope it names, if the body can be resent.
	again := parseChallenge(resp.Header.Get("WWW-Authenticate"))
	if again.scheme != "bearer" || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
		return resp, nil
	}
	if again.scope != "" {
		scope = again.scope
	}
	if again.realm != "" {
		ch.realm, ch.service = again.realm, again.service
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	t.tokens.Remove(t.tokenKey(up, ch, cred, scope))
	return t.withToken(req, up, ch, cred, scope)
}

// withToken sends req with a token for scope; a refusal by the token server comes
// back as the upstream's 401, so the client is challenged for better credentials.
func (t *Transport) withToken(req *http.Request, up *url.URL, ch authChallenge, cred, scope string) (*http.Response, error) {
	tok, refused, err := t.token(req.Context(), up, ch, cred, scope)
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return refused, nil
	}
	out := req.Clone(req.Context())
	if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		if out.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	out.Header.Set("Authorization", "Bearer "+tok)
	return t.base.RoundTrip(out)
}

// challenge learns, once per upstream host, how it wants clients to
// authenticate: GET /v2/ without credentials. Every pingTTL it is learnt again,
// in the background: the known challenge goes on serving meanwhile, so no
// request waits for that round trip once the host has answered once.
func (t *Transport) challenge(ctx context.Context, up *url.URL) (authChallenge, error) {
	t.mu.Lock()
	p, ok := t.pings[up.Host]
	renew := ok && t.now().Sub(p.at) >= pingTTL && !t.renewing[up.Host]
	if renew {
		t.renewing[up.Host] = true
	}
	t.mu.Unlock()
	if renew {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			t.ping(ctx, up) // on failure the known challenge stays, and is tried again later
			t.mu.Lock()
			delete(t.renewing, up.Host)
			t.mu.Unlock()
		}()
	}
	if ok {
		return p.ch, nil
	}
	return t.ping(ctx, up)
}

// ping asks the upstream for its challenge and remembers it.
func (t *Transport) ping(ctx context.Context, up *url.URL) (authChallenge, error) {
	ping := *up
	ping.Path, ping.RawPath, ping.RawQuery = strings.TrimSuffix(up.Path, "/")+"/v2/", "", ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ping.String(), nil)
	if err != nil {
		return authChallenge{}, err
	}
	req.Header.Set("User-Agent", t.cfg.UserAgent)
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return authChallenge{}, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	var ch authChallenge
	if resp.StatusCode == http.StatusUnauthorized {
		ch = parseChallenge(resp.Header.Get("WWW-Authenticate"))
		if ch.scheme == "bearer" {
			if _, _, err := checkRealm(ch.realm, up, t.cfg.TokenRealms); err != nil {
				return authChallenge{}, err
			}
		}
	}
	t.mu.Lock()
	t.pings[up.Host] = pinged{ch: ch, at: t.now()}
	t.mu.Unlock()
	return ch, nil
}

// tokenKey names a token by realm, service, scope and the credential the realm
// is actually sent: a caller without credentials, and one whose credentials may
// not go to this realm, ask the same anonymous question, and share its answer.
func (t *Transport) tokenKey(up *url.URL, ch authChallenge, cred, scope string) string {
	if _, trusted, err := checkRealm(ch.realm, up, t.cfg.TokenRealms); err != nil || !trusted || !basicHasCredentials(cred) {
		cred = ""
	}
	return tokenKey(ch, cred, scope)
}

func tokenKey(ch authChallenge, cred, scope string) string {
	sum := sha256.Sum256([]byte(ch.realm + "\x00" + ch.service + "\x00" + scope + "\x00" + cred))
	return hex.EncodeToString(sum[:])
}

// token returns a cached token or fetches one from the realm, once for all the
// callers that need it at the same moment. Only Basic credentials with a user or
// password are sent, and only to a trusted realm (see checkRealm); another realm
// is asked for an anonymous token.
func (t *Transport) token(ctx context.Context, up *url.URL, ch authChallenge, cred, scope string) (string, *http.Response, error) {
	key := t.tokenKey(up, ch, cred, scope)
	if tok, ok := t.tokens.Get(key); ok && t.now().Before(tok.expires) {
		return tok.value, nil, nil
	}
	t.mu.Lock()
	call, waiting := t.fetching[key]
	if !waiting {
		call = &tokenCall{done: make(chan struct{})}
		t.fetching[key] = call
	}
	t.mu.Unlock()
	if waiting {
		select {
		case <-call.done:
		case <-ctx.Done():
			return "", nil, ctx.Err()
		}
		if call.refused != nil {
			return "", t.cfg.Refused("the upstream refused these credentials"), nil
		}
		return call.tok, nil, call.err
	}
	call.tok, call.refused, call.err = t.fetchToken(ctx, up, ch, cred, scope, key)
	t.mu.Lock()
	delete(t.fetching, key)
	t.mu.Unlock()
	close(call.done)
	return call.tok, call.refused, call.err
}

// fetchToken asks the realm for a token and keeps it under key.
func (t *Transport) fetchToken(ctx context.Context, up *url.URL, ch authChallenge, cred, scope, key string) (string, *http.Response, error) {
	realm, trusted, err := checkRealm(ch.realm, up, t.cfg.TokenRealms)
	if err != nil {
		return "", nil, err
	}
	q := realm.Query()
	if ch.service != "" {
		q.Set("service", ch.service)
	}
	for _, s := range strings.Fields(scope) {
		q.Add("scope", s)
	}
	realm.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, realm.String(), nil)
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("User-Agent", t.cfg.UserAgent)
	if trusted && basicHasCredentials(cred) {
		req.Header.Set("Authorization", cred)
	}
	resp, err := t.base.RoundTrip(req) // no redirects: credentials go to the realm named, nowhere else
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBody))
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return "", t.cfg.Refused("the upstream refused these credentials"), nil
	}
	var tr struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &tr) != nil || (tr.Token == "" && tr.AccessToken == "") {
		return "", nil, errBadTokenAnswer
	}
	if tr.Token == "" {
		tr.Token = tr.AccessToken
	}
	life := defaultTokenLife
	if tr.ExpiresIn > 0 {
		life = time.Duration(tr.ExpiresIn) * time.Second
	}
	// Renew a little early, so a token does not expire between here and the upstream.
	life -= life / 10
	t.tokens.Add(key, cachedToken{value: tr.Token, expires: t.now().Add(min(life, tokenMaxLife))})
	return tr.Token, nil, nil
}

// basicHasCredentials: a Basic header with a user or a password (clients without
// credentials send an empty one, which goes nowhere).
func basicHasCredentials(cred string) bool {
	scheme, rest, _ := strings.Cut(cred, " ")
	if !strings.EqualFold(scheme, "basic") {
		return false
	}
	return rest != "" && rest != "Og==" // base64(":")
}
