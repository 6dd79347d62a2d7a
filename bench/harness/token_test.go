package harness

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The token flow in front of a registry: 401 with a Bearer challenge naming the
// repository's scope, tokens from the realm, a token good for its own repository
// only, and no Authorization passed on to the registry behind.
func TestTokenFlow(t *testing.T) {
	var mu sync.Mutex
	var sawAuth []string
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sawAuth = append(sawAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		io.WriteString(w, `{"schemaVersion":2}`)
	}))
	defer reg.Close()
	sp, err := startSlowProxy(reg.URL, time.Millisecond, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	base := "http://" + sp.Addr
	const manifest = "/v2/bench/tok0/manifests/v1"

	resp, err := http.Get(base + manifest)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ch := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != http.StatusUnauthorized || challengeParam(ch, "realm") != base+tokenPath ||
		challengeParam(ch, "scope") != "repository:bench/tok0:pull" || challengeParam(ch, "service") != tokenService {
		t.Fatalf("without a token: %d %q", resp.StatusCode, ch)
	}

	// A token for another repository does not open this one.
	other := fetchToken(t, base, "repository:bench/other:pull")
	req, _ := http.NewRequest(http.MethodGet, base+manifest, nil)
	req.Header.Set("Authorization", "Bearer "+other)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("with another repository's token: %v %v", resp.StatusCode, err)
	}

	s := &Server{Name: "origin", Addr: sp.Addr, Path: samePath}
	rs, err := tokenOneByOne(s, []string{manifest, manifest}, ociAccept)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Status != http.StatusOK || r.Bytes == 0 || r.TTFB <= 0 || r.Total < r.TTFB {
			t.Errorf("through the token flow: %+v", r)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sawAuth) != 2 {
		t.Errorf("the registry got %d requests, want the 2 with a token", len(sawAuth))
	}
	for _, a := range sawAuth {
		if a != "" {
			t.Errorf("the registry was sent Authorization %q", a)
		}
	}
	if n := sp.requests(tokenPath); n != 3 {
		t.Errorf("%d token requests, want 3", n)
	}
}

func fetchToken(t *testing.T, base, scope string) string {
	t.Helper()
	resp, err := http.Get(base + tokenPath + "?" + url.Values{"service": {tokenService}, "scope": {scope}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	_, rest, _ := strings.Cut(string(b), `"token":"`)
	tok, _, _ := strings.Cut(rest, `"`)
	if resp.StatusCode != http.StatusOK || tok == "" {
		t.Fatalf("token: %d %s", resp.StatusCode, b)
	}
	return tok
}

func TestV2Repo(t *testing.T) {
	for p, want := range map[string]string{
		"/v2/bench/tok0/manifests/v1":    "bench/tok0",
		"/v2/a/b/c/blobs/sha256:00":      "a/b/c",
		"/v2/x/tags/list":                "x",
		"/v2/":                           "",
		"/token":                         "",
		"/v2/manifests/manifests/latest": "manifests",
	} {
		got, ok := v2Repo(p)
		if got != want || ok != (want != "") {
			t.Errorf("v2Repo(%q) = %q, %v; want %q", p, got, ok, want)
		}
	}
}
