package proxy

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"hoard/configs"
)

// On a cold miss, an upstream failure is the gateway's own answer: 502 for a 5xx,
// 503 with the upstream's Retry-After for a 429; never the upstream's status, never
// a 404, never cached. Once the upstream behaves, the right bytes come through.
func TestColdMissUpstreamErrorsAreGatewayAnswers(t *testing.T) {
	body := randomBytes(t, 4096)
	retryAfter := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}
	cases := []struct {
		name       string
		fault      http.HandlerFunc
		want       int
		retryAfter string
	}{
		{"500", status(http.StatusInternalServerError), http.StatusBadGateway, ""},
		{"503", status(http.StatusServiceUnavailable), http.StatusBadGateway, ""},
		{"429 with Retry-After", retryAfter, http.StatusServiceUnavailable, "7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := newOrigin(t)
			o.publish(jarPath, body)
			e := newEnv(t, o)
			o.fault(jarPath, c.fault)
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				r := do(t, method, e.url(jarPath), nil, nil)
				if r.status != c.want {
					t.Errorf("%s: status %d, want %d", method, r.status, c.want)
				}
				if got := r.header.Get("Retry-After"); got != c.retryAfter {
					t.Errorf("%s: Retry-After %q, want %q", method, got, c.retryAfter)
				}
			}
			e.assertNotCached(jarPath)
			o.fault(jarPath, nil)
			mustGet(t, e.url(jarPath), body)
		})
	}
}

// A hung upstream holds a client at most upstream.header_timeout in total, retries
// included: one attempt takes the whole budget, so no retry is made, and the answer
// is a 504. Stale metadata is served within the same budget.
func TestHeaderBudgetCoversRetries(t *testing.T) {
	o := newOrigin(t)
	o.publish(jarPath, randomBytes(t, 1024))
	o.add(metaPath, metaBody)
	testDone := make(chan struct{})
	t.Cleanup(func() { close(testDone) })
	e := newEnv(t, o, func(c *configs.Config) {
		c.Upstream.HeaderTimeout = configs.Duration(300 * time.Millisecond)
		c.Upstream.Retries = 3
		c.Upstream.RetryBackoff = configs.Duration(10 * time.Millisecond)
		c.Mounts[0].TTL = map[string]configs.Duration{"metadata": configs.Duration(time.Minute)}
	})
	mustGet(t, e.url(metaPath), metaBody)
	e.waitFills()
	o.fault(jarPath, stallHeaders(testDone))
	o.fault(metaPath, stallHeaders(testDone))

	if r := get(t, e.url(jarPath)); r.status != http.StatusGatewayTimeout || !strings.Contains(string(r.body), "header_timeout") {
		t.Errorf("hung upstream, cold miss: %d %q, want 504 naming header_timeout", r.status, r.body)
	}
	if n := o.count(jarPath); n != 1 {
		t.Errorf("upstream attempts for the hung jar = %d, want 1 (the budget covers retries)", n)
	}
	e.clock.Advance(2 * time.Minute)
	before := o.count(metaPath)
	r := mustGet(t, e.url(metaPath), metaBody)
	wantCacheResult(t, r, resultStale)
	if n := o.count(metaPath) - before; n != 1 {
		t.Errorf("upstream attempts revalidating the hung metadata = %d, want 1", n)
	}
}
