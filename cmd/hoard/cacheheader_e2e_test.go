package main_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Every answer says what the cache did, the refusals and failures too.
func TestEveryResponseHasXHoardCache(t *testing.T) {
	needE2E(t)
	up := startUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "/slow/"):
			time.Sleep(3 * time.Second) // past header_timeout
		case strings.HasSuffix(r.URL.Path, ".jar"), strings.HasPrefix(r.URL.Path, "/-/"):
			w.Header().Set("X-Hoard-Cache", "hit") // another cache's word; never passed on
			w.Write([]byte("PK body"))
			return
		}
		http.NotFound(w, r)
	}))
	down := "http://" + freeAddr(t) // nothing listens: connection refused
	cfg := writeConfig(t, fmt.Sprintf(`upstream: {header_timeout: 1s, retries: 0}
cache: {negative_ttl: 1m}
mounts:
  - {name: maven, format: maven, upstream: %q}
  - {name: down, format: maven, upstream: %q}
  - {name: npm, format: npm, upstream: %q}
`, up.URL(), down, up.URL()))
	h := startHoard(t, t.TempDir(), "--config", cfg)
	locked := startHoard(t, t.TempDir(), "--config", cfg, "--auth", "upstream")
	for _, c := range []struct {
		what, method, url string
		status            int
		cache             string
	}{
		{"401", "GET", locked.URL + "/maven/a/b/1.0/b-1.0.jar", 401, "error"},
		{"404 from the upstream", "GET", h.URL + "/maven/a/missing/1.0/missing-1.0.pom", 404, "miss"},
		{"502", "GET", h.URL + "/down/a/b/1.0/b-1.0.jar", 502, "error"},
		{"504", "GET", h.URL + "/maven/slow/b/1.0/b-1.0.pom", 504, "error"},
		{"pass-through", "GET", h.URL + "/npm/-/v1/search?text=x", 200, "bypass"},
		{"HEAD of an uncached artifact", "HEAD", h.URL + "/maven/a/b/1.0/b-1.0.jar", 200, "bypass"},
		{"bad path", "GET", h.URL + "/maven/../etc/passwd", 400, "error"},
		{"admin", "GET", h.URL + "/healthz", 200, "bypass"},
	} {
		req, _ := http.NewRequest(c.method, c.url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		resp.Body.Close()
		got := resp.Header.Get("X-Hoard-Cache")
		if resp.StatusCode != c.status || got == "" || (c.cache != "*" && got != c.cache) {
			t.Errorf("%s: %d with X-Hoard-Cache %q, want %d with %q", c.what, resp.StatusCode, got, c.status, c.cache)
		}
	}
}
