package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"

	"hoard/bench/loadgen"
)

// The registry token flow, as public registries run it even for anonymous pulls:
// every /v2/ request without a valid token is answered 401 with a Bearer
// challenge naming the realm, the service and the scope it needs; the client gets
// a token for that scope from the realm and sends it as Authorization: Bearer.
// tokenAuth puts that flow in front of the upstream registry (which itself has
// no authentication): the upstream a pull-through cache meets in practice.

// tokenPath is the realm, served by the same proxy (so the token round trip has
// the same latency as any other).
const tokenPath = "/token"

const tokenService = "hoardbench"

// tokenLife is what the realm says a token lasts: longer than a run.
const tokenLife = time.Hour

// tokenAuth issues anonymous pull tokens and checks them.
type tokenAuth struct {
	realm  string
	mu     sync.Mutex
	tokens map[string]string // token -> the repository it grants pull of ("" for none)
}

func newTokenAuth(addr string) *tokenAuth {
	return &tokenAuth{realm: "http://" + addr + tokenPath, tokens: map[string]string{}}
}

// issue answers a token request: GET /token?service=S&scope=repository:R:pull.
func (a *tokenAuth) issue(w http.ResponseWriter, r *http.Request) {
	repo := ""
	for _, s := range r.URL.Query()["scope"] {
		parts := strings.Split(s, ":")
		if len(parts) != 3 || parts[0] != "repository" || !strings.Contains(parts[2], "pull") {
			http.Error(w, `{"errors":[{"code":"DENIED","message":"only pull scopes are granted"}]}`, http.StatusForbidden)
			return
		}
		repo = parts[1]
	}
	b := make([]byte, 16)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	a.mu.Lock()
	a.tokens[tok] = repo
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"token": tok, "access_token": tok,
		"expires_in": int(tokenLife / time.Second), "issued_at": time.Now().UTC().Format(time.RFC3339)})
}

// allowed reports whether r carries a token for what it asks: the repository of
// its path, or any token for the /v2/ base.
func (a *tokenAuth) allowed(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	a.mu.Lock()
	repo, known := a.tokens[tok]
	a.mu.Unlock()
	if !known {
		return false
	}
	want, ok := v2Repo(r.URL.Path)
	return !ok || want == repo
}

// challenge answers 401 with the Bearer challenge for r's repository.
func (a *tokenAuth) challenge(w http.ResponseWriter, r *http.Request) {
	ch := fmt.Sprintf(`Bearer realm=%q,service=%q`, a.realm, tokenService)
	if repo, ok := v2Repo(r.URL.Path); ok {
		ch += fmt.Sprintf(`,scope="repository:%s:pull"`, repo)
	}
	w.Header().Set("WWW-Authenticate", ch)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
}

// v2Repo is the repository of /v2/NAME/(manifests|blobs|tags)/...; false for the
// base and anything else.
func v2Repo(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "/v2/")
	if !ok {
		return "", false
	}
	for _, kind := range []string{"/manifests/", "/blobs/", "/tags/"} {
		if i := strings.LastIndex(rest, kind); i > 0 {
			return rest[:i], true
		}
	}
	return "", false
}

// tokenClient pulls the way a registry client does directly from the upstream:
// it learns the challenge once from GET /v2/ (on the warm connection, not timed),
// then for each cold manifest gets a token for its repository's scope and
// fetches the manifest with it, both on one keep-alive connection.
type tokenClient struct {
	client *http.Client
	base   string
	realm  string
	svc    string
	header http.Header
}

func newTokenClient(addr, header string) (*tokenClient, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true}
	c := &tokenClient{client: &http.Client{Transport: tr, Timeout: time.Minute}, base: "http://" + addr, header: http.Header{}}
	if k, v, ok := strings.Cut(strings.TrimSpace(header), ": "); ok {
		c.header.Set(k, v)
	}
	resp, err := c.client.Get(c.base + "/v2/")
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	ch := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(ch, "Bearer ") {
		return nil, fmt.Errorf("GET /v2/: %d %q, want a Bearer challenge", resp.StatusCode, ch)
	}
	c.realm, c.svc = challengeParam(ch, "realm"), challengeParam(ch, "service")
	return c, nil
}

// challengeParam reads one quoted parameter of a challenge.
func challengeParam(ch, name string) string {
	_, rest, ok := strings.Cut(ch, name+`="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

// get fetches one manifest with a fresh token for its repository; first byte
// and total are from the token request to the manifest's first and last byte.
func (c *tokenClient) get(ctx context.Context, path string) loadgen.Result {
	repo, ok := v2Repo(path)
	if !ok {
		return loadgen.Result{}
	}
	start := time.Now()
	q := url.Values{"service": {c.svc}, "scope": {"repository:" + repo + ":pull"}}
	resp, err := c.client.Get(c.realm + "?" + q.Encode())
	if err != nil {
		return loadgen.Result{}
	}
	var tok struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || tok.Token == "" {
		return loadgen.Result{}
	}
	var first time.Time
	trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { first = time.Now() }}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, c.base+path, nil)
	req.Header = c.header.Clone()
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err = c.client.Do(req)
	if err != nil {
		return loadgen.Result{}
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	res := loadgen.Result{Status: resp.StatusCode, Bytes: n, TTFB: first.Sub(start), Total: time.Since(start)}
	if err != nil {
		res.Status = 0
	}
	return res
}

// tokenOneByOne is oneByOne for the upstream behind the token flow.
func tokenOneByOne(s *Server, paths []string, header string) ([]loadgen.Result, error) {
	c, err := newTokenClient(s.Addr, header)
	if err != nil {
		return nil, err
	}
	defer c.client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out []loadgen.Result
	for _, p := range paths {
		if mp, ok := s.Path(p); ok {
			out = append(out, c.get(ctx, mp))
		}
	}
	return out, nil
}
