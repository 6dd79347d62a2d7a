package proxy

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"hoard/configs"
)

// With the upstream gone (registry and token check alike), a caller whose access to
// private content was confirmed within auth.access_stale is still served it, marked
// stale; a caller admitted before but never confirmed for that package gets a 503
// saying access cannot be confirmed, and no one gets it as fresh.
func TestPrivateContentServedStaleWhenUpstreamCannotConfirm(t *testing.T) {
	const ttl = 200 * time.Millisecond
	a := newAuthEnv(t, func(c *configs.Config) {
		c.Auth.VerdictTTL, c.Auth.AccessTTL = configs.Duration(ttl), configs.Duration(ttl)
		c.Auth.AccessStale, c.Auth.VerdictStale = configs.Duration(time.Hour), configs.Duration(time.Hour)
	})
	const open = "/acme/repo/com/acme/open/1.0/open-1.0.jar"
	a.gh.put(open, []byte("PK open jar"))
	if resp, body := a.do(t, "GET", privJar, "tok-read", nil); resp.StatusCode != 200 || body != "PK secret jar" {
		t.Fatalf("filling while connected: %d %q", resp.StatusCode, body)
	}
	if resp, _ := a.do(t, "GET", open, "tok-other", nil); resp.StatusCode != 200 {
		t.Fatalf("tok-other reading a public jar while connected: %d", resp.StatusCode)
	}
	if resp, _ := a.do(t, "GET", privJar, "tok-other", nil); resp.StatusCode != 404 {
		t.Fatalf("tok-other reading the private jar while connected: %d, want 404", resp.StatusCode)
	}
	a.srv.WaitFills(t.Context())
	a.gh.srv.Close() // refused from now on: registry and token check
	time.Sleep(2 * ttl)

	resp, body := a.do(t, "GET", privJar, "tok-read", nil)
	if resp.StatusCode != 200 || body != "PK secret jar" {
		t.Fatalf("confirmed caller with the upstream down: %d %q, want the cached jar", resp.StatusCode, body)
	}
	if got := resp.Header.Get("X-Hoard-Cache"); got != resultStale {
		t.Errorf("X-Hoard-Cache = %q, want stale", got)
	}
	if w := resp.Header.Get("Warning"); !strings.HasPrefix(w, "111 ") {
		t.Errorf("Warning = %q, want 111", w)
	}
	resp, body = a.do(t, "GET", privJar, "tok-other", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(body, "secret jar") || !strings.Contains(body, "cannot confirm access") {
		t.Errorf("never-confirmed caller with the upstream down: %d %q, want 503 saying access cannot be confirmed", resp.StatusCode, body)
	}
	if resp, _ := a.do(t, "GET", privJar, "tok-write", nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a token never checked with the validator down: %d, want 503", resp.StatusCode)
	}
	if resp, _ := a.do(t, "PUT", "/acme/repo/com/acme/secret/2.0/secret-2.0.jar", "tok-read", strings.NewReader("x")); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a publish on a stale verdict: %d, want 503", resp.StatusCode)
	}
	m := get(t, strings.TrimSuffix(a.url, "/maven")+"/metrics")
	for _, want := range []string{`hoard_stale_access_total{kind="access",mount="maven"} 1`, `hoard_stale_access_total{kind="verdict",mount="maven"}`} {
		if !strings.Contains(string(m.body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// auth.access_stale 0 turns it off: the confirmed caller gets the 503 too.
func TestAccessStaleZeroIsOff(t *testing.T) {
	const ttl = 200 * time.Millisecond
	a := newAuthEnv(t, func(c *configs.Config) {
		c.Auth.Mode = "none"
		c.Auth.AccessTTL = configs.Duration(ttl)
	})
	if resp, _ := a.do(t, "GET", privJar, "tok-read", nil); resp.StatusCode != 200 {
		t.Fatalf("filling while connected: %d", resp.StatusCode)
	}
	a.srv.WaitFills(t.Context())
	a.gh.srv.Close()
	time.Sleep(2 * ttl)
	if resp, _ := a.do(t, "GET", privJar, "tok-read", nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("access_stale 0, upstream down: %d, want 503", resp.StatusCode)
	}
}
