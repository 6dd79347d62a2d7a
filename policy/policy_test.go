package policy

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTokenFromEveryClientsPlace(t *testing.T) {
	basic := func(u, p string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)) }
	cases := []struct {
		header, value, want string
	}{
		{"Authorization", "Bearer npm-tok", "npm-tok"},
		{"Authorization", "token gh-tok", "gh-tok"},
		{"Authorization", basic("maven-user", "mvn-tok"), "mvn-tok"},
		{"Authorization", basic("only-token", ""), "only-token"},
		{"Authorization", "rubygems-raw-key", "rubygems-raw-key"},
		{"X-NuGet-ApiKey", "nuget-key", "nuget-key"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set(c.header, c.value)
		got, ok := TokenFrom(r)
		if !ok || got != c.want {
			t.Errorf("%s %q: got %q %v, want %q", c.header, c.value, got, ok, c.want)
		}
	}
	if _, ok := TokenFrom(httptest.NewRequest("GET", "/", nil)); ok {
		t.Error("a request without credentials has a token")
	}
}

func TestParseScopesWriteImpliesRead(t *testing.T) {
	s := ParseScopes("repo, write:packages")
	if !s[ScopeRead] || !s[ScopeWrite] || s[ScopeDelete] {
		t.Errorf("%v", s)
	}
}

// fakeGitHub answers like GET /user: 200 with X-OAuth-Scopes for known tokens, 401
// otherwise; down makes it answer 503.
func fakeGitHub(tokens map[string]string, calls *atomic.Int64, down *atomic.Bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if down.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		scopes, ok := tokens[r.Header.Get("Authorization")]
		if !ok {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-OAuth-Scopes", scopes)
		w.Write([]byte(`{"login":"someone"}`))
	}))
}

func TestUpstreamValidatorCachesAndRefusesWhenDown(t *testing.T) {
	var calls atomic.Int64
	var down atomic.Bool
	gh := fakeGitHub(map[string]string{"token good": "read:packages"}, &calls, &down)
	defer gh.Close()
	v := NewUpstreamValidator(gh.URL, gh.Client(), 200*time.Millisecond)
	ctx := context.Background()
	got, err := v.Validate(ctx, "good")
	if err != nil || !got.Has(ScopeRead) || got.Has(ScopeWrite) {
		t.Fatalf("good: %+v %v", got, err)
	}
	v.Validate(ctx, "good")
	if calls.Load() != 1 {
		t.Errorf("verdict not cached: %d calls", calls.Load())
	}
	if got, err := v.Validate(ctx, "bad"); err != nil || got.Known {
		t.Errorf("bad: %+v %v", got, err)
	}
	down.Store(true)
	if _, err := v.Validate(ctx, "never-seen"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("validator down: got %v, want ErrUnavailable", err)
	}
	time.Sleep(300 * time.Millisecond) // past the verdict TTL
	if _, err := v.Validate(ctx, "good"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("expired verdict with validator down: got %v", err)
	}
}

func TestLocalTokensCreateValidateRevoke(t *testing.T) {
	dir := t.TempDir()
	tok, err := CreateToken(dir, "ci", []Scope{ScopeWrite}, []string{"com/acme/*"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, TokensFile))
	if len(raw) == 0 || strings.Contains(string(raw), tok) {
		t.Fatal("the token file must hold a hash, never the token")
	}
	store := OpenLocal(dir, 0)
	v, err := store.Validate(context.Background(), tok)
	if err != nil || !v.Has(ScopeRead) || !v.Has(ScopeWrite) || v.Has(ScopeDelete) || v.Name != "ci" {
		t.Fatalf("%+v %v", v, err)
	}
	if !v.MayReadNamespace("com/acme/x/1.0") || v.MayReadNamespace("org/other/y/1.0") {
		t.Error("namespaces not applied")
	}
	if _, err := CreateToken(dir, "ci", []Scope{ScopeRead}, nil, 0); err == nil {
		t.Error("a second token with the same name was created")
	}
	if err := RevokeToken(dir, "ci"); err != nil {
		t.Fatal(err)
	}
	if v, _ := store.Validate(context.Background(), tok); v.Known {
		t.Error("a revoked token still validates")
	}
}

func TestLocalTokenExpires(t *testing.T) {
	dir := t.TempDir()
	tok, err := CreateToken(dir, "short", []Scope{ScopeRead}, nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	store := OpenLocal(dir, 0)
	store.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if v, _ := store.Validate(context.Background(), tok); v.Known {
		t.Error("an expired token validates")
	}
	if _, err := CreateToken(dir, "x", []Scope{"admin:org"}, nil, 0); err == nil {
		t.Error("an unknown scope was accepted")
	}
}
