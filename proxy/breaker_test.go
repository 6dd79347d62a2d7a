package proxy

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"hoard/configs"
)

// After breaker_failures consecutive failures the upstream is left alone: requests
// are answered from the cache (stale metadata) or fail fast, until the cooldown lets
// one probe through.
func TestBreakerStopsCallingAFailingUpstream(t *testing.T) {
	const cooldown = time.Minute
	o := newOrigin(t)
	jar := randomBytes(t, 4096)
	o.publish(jarPath, jar)
	o.add(metaPath, metaBody)
	e := newEnv(t, o, func(c *configs.Config) {
		c.Upstream.BreakerFailures = 2
		c.Upstream.BreakerCooldown = configs.Duration(cooldown)
		c.Mounts[0].TTL = map[string]configs.Duration{"metadata": configs.Duration(metaTTL)}
	})
	mustGet(t, e.url(metaPath), metaBody)

	o.fault("*", status(http.StatusServiceUnavailable))
	e.clock.Advance(metaTTL + time.Second)
	for i := range 2 { // the failures that open the breaker
		wantCacheResult(t, mustGet(t, e.url(metaPath), metaBody), resultStale)
		if got := o.count(metaPath); got != 2+i {
			t.Fatalf("failure %d: upstream requests = %d, want %d", i+1, got, 2+i)
		}
	}

	open := o.totalCount()
	errorsBefore := scrape(t, e, "hoard_upstream_requests_total", "mount", "maven", "code", "error")
	for range 3 {
		wantCacheResult(t, mustGet(t, e.url(metaPath), metaBody), resultStale)
	}
	r := get(t, e.url(jarPath))
	if r.status != statusNotAvailable || !strings.Contains(string(r.body), "circuit breaker") {
		t.Errorf("cold artifact with the breaker open: status %d body %q, want %d naming the breaker", r.status, r.body, statusNotAvailable)
	}
	if got := o.totalCount(); got != open {
		t.Fatalf("%d upstream requests while the breaker was open, want none", got-open)
	}
	if got := scrape(t, e, "hoard_upstream_requests_total", "mount", "maven", "code", "error"); got != errorsBefore {
		t.Errorf("hoard_upstream_requests_total{code=error} went from %v to %v with no upstream request made", errorsBefore, got)
	}

	// After the cooldown one probe goes through; it succeeds and closes the breaker.
	o.fault("*", nil)
	e.clock.Advance(cooldown + time.Second)
	wantCacheResult(t, mustGet(t, e.url(metaPath), metaBody), resultRevalidated)
	if got := o.count(metaPath); got != 4 {
		t.Errorf("upstream requests for the metadata after the cooldown = %d, want 4", got)
	}
	mustGet(t, e.url(jarPath), jar)
}

// A client that abandons an upload says nothing about the upstream: it must not count
// as an upstream failure, or a few flaky clients would open the breaker for everyone.
func TestClientAbortsDoNotOpenTheBreaker(t *testing.T) {
	const upload = "/com/example/lib/2.0/lib-2.0.jar"
	o := newOrigin(t)
	jar := randomBytes(t, 4096)
	o.publish(jarPath, jar)
	reading := make(chan struct{}, 1)
	o.fault(upload, func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 1)
		if _, err := io.ReadFull(r.Body, buf); err == nil {
			reading <- struct{}{}
		}
		io.Copy(io.Discard, r.Body)
	})
	e := newEnv(t, o, func(c *configs.Config) { c.Upstream.BreakerFailures = 1 })

	errored := e.srv.metrics.requests.WithLabelValues("maven", "maven", resultError)
	for i := range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPut, e.url(upload), pr)
		req.ContentLength = 1 << 20
		go func() {
			pw.Write(make([]byte, 32<<10))
			select {
			case <-reading: // the upload is on its way upstream; now the client leaves
			case <-time.After(30 * time.Second):
			}
			cancel()
			pw.CloseWithError(context.Canceled)
		}()
		tr := &http.Transport{}
		if resp, err := (&http.Client{Transport: tr}).Do(req); err == nil {
			resp.Body.Close()
		}
		tr.CloseIdleConnections()
		waitFor(t, "the abandoned upload to end", func() bool { return counterValue(t, errored) == float64(i+1) })
	}

	mustGet(t, e.url(jarPath), jar)
}
