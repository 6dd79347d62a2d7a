package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"hoard/policy"
)

// fakeGitHub is a GitHub-style upstream for auth tests, faithful to what GitHub
// documents: GET /user answers 200 with the token's scopes in X-OAuth-Scopes or 401;
// the package registry needs a token for every request (401 with a Basic challenge
// without one), shows a private package only to the tokens that may read it (404 to
// others), and checks write:packages and delete:packages itself.
type fakeGitHub struct {
	srv      *httptest.Server
	mu       sync.Mutex
	scopes   map[string]string          // token -> X-OAuth-Scopes
	readers  map[string]map[string]bool // private package prefix -> tokens that may read
	files    map[string][]byte
	requests atomic.Int64 // registry requests (not /user)
	down     atomic.Bool  // /user answers 503
}

func newFakeGitHub(t testing.TB) *fakeGitHub {
	g := &fakeGitHub{scopes: map[string]string{}, readers: map[string]map[string]bool{}, files: map[string][]byte{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGitHub) addToken(tok, scopes string) {
	g.mu.Lock()
	g.scopes[tok] = scopes
	g.mu.Unlock()
}

func (g *fakeGitHub) revoke(tok string) {
	g.mu.Lock()
	delete(g.scopes, tok)
	g.mu.Unlock()
}

// private makes every path under prefix readable only by the given tokens.
func (g *fakeGitHub) private(prefix string, tokens ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.readers[prefix] = map[string]bool{}
	for _, t := range tokens {
		g.readers[prefix][t] = true
	}
}

func (g *fakeGitHub) put(path string, body []byte) {
	g.mu.Lock()
	g.files[path] = body
	g.mu.Unlock()
}

func (g *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	tok, _ := policy.TokenFrom(r)
	g.mu.Lock()
	defer g.mu.Unlock()
	scopes, known := g.scopes[tok]
	if r.URL.Path == "/user" {
		switch {
		case g.down.Load():
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		case !known:
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		default:
			w.Header().Set("X-OAuth-Scopes", scopes)
			io.WriteString(w, `{"login":"someone"}`)
		}
		return
	}
	g.requests.Add(1)
	if !known {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitHub Package Registry"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if !g.mayReadLocked(r.URL.Path, tok) {
		http.NotFound(w, r)
		return
	}
	has := policy.ParseScopes(scopes)
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		body, ok := g.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	case http.MethodPut:
		if !has[policy.ScopeWrite] {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		body, _ := io.ReadAll(r.Body)
		g.files[r.URL.Path] = body
		w.WriteHeader(http.StatusCreated)
	case http.MethodDelete:
		if !has[policy.ScopeDelete] {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		delete(g.files, r.URL.Path)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (g *fakeGitHub) mayReadLocked(path, tok string) bool {
	for prefix, readers := range g.readers {
		if strings.HasPrefix(path, prefix) {
			return readers[tok]
		}
	}
	return true
}
