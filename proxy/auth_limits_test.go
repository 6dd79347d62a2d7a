package proxy

import (
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/configs"
	"hoard/policy"
)

func TestRateLimitPerToken(t *testing.T) {
	a := newAuthEnv(t, func(c *configs.Config) { c.Limits = configs.Limits{PerTokenRPS: 0.001, Burst: 2} })
	for i, want := range []int{200, 200, 429} {
		if resp, _ := a.do(t, "GET", privJar, "tok-read", nil); resp.StatusCode != want {
			t.Errorf("request %d with tok-read: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	// Another token from the same address has a bucket of its own.
	if resp, _ := a.do(t, "GET", privJar, "tok-write", nil); resp.StatusCode != 200 {
		t.Errorf("tok-write after tok-read ran out: %d", resp.StatusCode)
	}
}

// An air-gapped site: private content cached while connected is served offline to
// local tokens whose namespaces cover it, and to no one else.
func TestOfflineLocalTokenNamespaces(t *testing.T) {
	a := newAuthEnv(t, func(c *configs.Config) { c.Auth.Mode = "none" })
	if resp, _ := a.do(t, "GET", privJar, "tok-read", nil); resp.StatusCode != 200 {
		t.Fatalf("filling while connected: %d", resp.StatusCode)
	}
	a.srv.WaitFills(t.Context())
	inside, err := policy.CreateToken(a.dir, "site", []policy.Scope{policy.ScopeRead}, []string{"acme/repo/com/acme/*"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	outside, err := policy.CreateToken(a.dir, "other", []policy.Scope{policy.ScopeRead}, []string{"org/elsewhere/*"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(a.dir, a.gh.srv.URL)
	cfg.Offline = true
	cfg.Auth = configs.Auth{Mode: "local", VerdictTTL: configs.Duration(time.Minute), AccessTTL: configs.Duration(time.Minute)}
	_, hs, _ := startServerLogging(t, a.srv.engine.store, cfg, zerolog.Nop())
	offline := &authEnv{gh: a.gh, url: hs.URL + "/maven"}
	before := a.gh.requests.Load()
	if resp, body := offline.do(t, "GET", privJar, inside, nil); resp.StatusCode != 200 || body != "PK secret jar" {
		t.Errorf("token whose namespace covers the package: %d %q", resp.StatusCode, body)
	}
	if resp, body := offline.do(t, "GET", privJar, outside, nil); resp.StatusCode != 404 || body == "PK secret jar" {
		t.Errorf("token outside the namespace: %d", resp.StatusCode)
	}
	if a.gh.requests.Load() != before {
		t.Error("offline mode contacted the upstream")
	}
}
