package proxy

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
)

// delegatedEnv is Hoard with --auth upstream in front of the fake GitHub, whose
// registry answers tokens without visible scopes: ghs_reader may read the private
// package, ghs_other may not. Every answer to ghs_other announces its expiry.
func delegatedEnv(t *testing.T) (*authEnv, *fakeClock, *atomic.Int64) {
	t.Helper()
	gh := newFakeGitHub(t)
	gh.addToken("ghs_reader", "")
	gh.addToken("ghs_other", "")
	gh.private("/acme/repo/com/acme/secret/", "ghs_reader")
	gh.put(privJar, []byte("PK secret jar"))
	gh.put("/acme/repo/com/acme/open/1.0/open-1.0.jar", []byte("PK open jar"))
	var heads atomic.Int64
	clock := &fakeClock{now: time.Now()}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			heads.Add(1)
		}
		if r.Header.Get("Authorization") == basic("ghs_other") {
			w.Header().Set("GitHub-Authentication-Token-Expiration", clock.Now().Add(10*time.Second).UTC().Format("2006-01-02 15:04:05 MST"))
		}
		gh.serve(w, r)
	}))
	t.Cleanup(up.Close)
	dir := t.TempDir()
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := testConfig(dir, up.URL)
	cfg.Auth = configs.Auth{Mode: "upstream", ValidateURL: gh.srv.URL + "/user",
		VerdictTTL: configs.Duration(time.Minute), AccessTTL: configs.Duration(time.Minute)}
	srv, hs, c := startServer(t, store, cfg)
	c.now = clock.now
	srv.engine.now = clock.Now
	return &authEnv{gh: gh, srv: srv, url: hs.URL + "/maven", dir: dir}, clock, &heads
}

// TestDelegatedReadsAskTheUpstream: a token without visible scopes reads cached
// content only after the upstream said it may, and gets the upstream's refusal
// otherwise; many reads of one package ask the upstream once.
func TestDelegatedReadsAskTheUpstream(t *testing.T) {
	a, _, heads := delegatedEnv(t)
	if resp, body := a.do(t, "GET", privJar, "ghs_reader", nil); resp.StatusCode != 200 || body != "PK secret jar" {
		t.Fatalf("reader: %d %s", resp.StatusCode, body)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, body := a.do(t, "GET", privJar, "ghs_other", nil); resp.StatusCode != 404 {
				t.Errorf("other: %d %s, want the upstream's 404", resp.StatusCode, body)
			}
		}()
	}
	wg.Wait()
	if n := heads.Load(); n != 1 {
		t.Errorf("%d access checks for one token and package, want 1", n)
	}
	if resp, _ := a.do(t, "GET", privJar, "ghs_reader", nil); resp.StatusCode != 200 || heads.Load() != 1 {
		t.Errorf("the filler read again: %d after %d access checks", resp.StatusCode, heads.Load())
	}
}

// TestDelegatedAccessEndsWithTheToken: an access answer is not trusted past the
// expiry the upstream announced for the token, nor past a 401 for it.
func TestDelegatedAccessEndsWithTheToken(t *testing.T) {
	a, clock, heads := delegatedEnv(t)
	open := "/acme/repo/com/acme/open/1.0/open-1.0.jar"
	a.do(t, "GET", open, "ghs_reader", nil)
	if resp, _ := a.do(t, "GET", open, "ghs_other", nil); resp.StatusCode != 200 || heads.Load() != 1 {
		t.Fatalf("other: %d after %d checks", resp.StatusCode, heads.Load())
	}
	clock.Advance(20 * time.Second) // past the announced expiry, within access_ttl
	if resp, _ := a.do(t, "GET", open, "ghs_other", nil); resp.StatusCode != 401 {
		t.Errorf("after the token's expiry: %d, want 401", resp.StatusCode)
	}
	// A token the upstream stops accepting: its first check is a 401, and from then
	// on its reads of other cached packages get a 401 without asking again.
	a.do(t, "GET", privJar, "ghs_reader", nil)
	a.gh.addToken("ghs_gone", "")
	a.gh.revoke("ghs_gone")
	before := heads.Load()
	if resp, _ := a.do(t, "GET", open, "ghs_gone", nil); resp.StatusCode != 401 || heads.Load() != before+1 {
		t.Errorf("revoked token: %d after %d checks", resp.StatusCode, heads.Load()-before)
	}
	if resp, _ := a.do(t, "GET", privJar, "ghs_gone", nil); resp.StatusCode != 401 || heads.Load() != before+1 {
		t.Errorf("revoked token, another package: %d after %d checks", resp.StatusCode, heads.Load()-before)
	}
}

// TestDelegatedWithServiceCredential: on a mount that sends a service credential
// upstream, a token without visible scopes is still asked about with its own
// credentials, so it never reads what the upstream would refuse it.
func TestDelegatedWithServiceCredential(t *testing.T) {
	t.Setenv("HOARD_TEST_SERVICE", "ghs_reader")
	gh := newFakeGitHub(t)
	gh.addToken("ghs_reader", "")
	gh.addToken("ghs_other", "")
	gh.private("/acme/repo/com/acme/secret/", "ghs_reader")
	gh.put(privJar, []byte("PK secret jar"))
	dir := t.TempDir()
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := testConfig(dir, gh.srv.URL)
	cfg.Mounts[0].Credential = "env:HOARD_TEST_SERVICE"
	cfg.Auth = configs.Auth{Mode: "upstream", ValidateURL: gh.srv.URL + "/user",
		VerdictTTL: configs.Duration(time.Minute), AccessTTL: configs.Duration(time.Minute)}
	_, hs, _ := startServer(t, store, cfg)
	a := &authEnv{gh: gh, url: hs.URL + "/maven"}
	if resp, body := a.do(t, "GET", privJar, "ghs_other", nil); resp.StatusCode != 404 {
		t.Errorf("other, on a miss: %d %s, want the upstream's 404 for its own token", resp.StatusCode, body)
	}
	if resp, body := a.do(t, "GET", privJar, "ghs_reader", nil); resp.StatusCode != 200 || body != "PK secret jar" {
		t.Errorf("reader: %d %s", resp.StatusCode, body)
	}
	if resp, _ := a.do(t, "GET", privJar, "ghs_other", nil); resp.StatusCode != 404 {
		t.Errorf("other, cached: %d, want 404", resp.StatusCode)
	}
}
