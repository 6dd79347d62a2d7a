package proxy

import (
	"net/http"
	"testing"
	"time"

	"hoard/configs"
)

// An upstream that breaks a transfer must never leave a client with a clean 200, nor
// leave anything in the cache; once it behaves, the next request fetches afresh.
func TestUpstreamFaultsFailCleanlyAndAreRetried(t *testing.T) {
	body := randomBytes(t, 1<<20)
	corrupt := append([]byte(nil), body...)
	corrupt[len(corrupt)/2] ^= 0xff
	cases := []struct {
		name  string
		fault http.HandlerFunc
	}{
		{"reset mid-body", rawResponse(len(body), body[:256<<10], true)},
		{"reset within the first 512 bytes", rawResponse(len(body), body[:100], true)},
		{"closes before the declared length", rawResponse(len(body)+1000, body, false)},
		{"declares fewer bytes than it sends", rawResponse(len(body)-1000, body, false)},
		{"bytes differ from the published sha1", serveBytes("application/java-archive", corrupt)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := newOrigin(t)
			o.publish(jarPath, body)
			e := newEnv(t, o)
			o.fault(jarPath, c.fault)

			r := get(t, e.url(jarPath))
			if r.clean() {
				t.Fatalf("client got a clean 200 of %d bytes from a broken upstream transfer", len(r.body))
			}
			e.assertNotCached(jarPath)

			o.fault(jarPath, nil)
			before := o.count(jarPath)
			mustGet(t, e.url(jarPath), body)
			if got := o.count(jarPath); got != before+1 {
				t.Errorf("upstream requests for the jar after the fault = %d, want %d", got, before+1)
			}
		})
	}
}

// An upstream that sends no headers within header_timeout is a 504, not cached.
func TestSlowUpstreamHeadersAreGatewayTimeout(t *testing.T) {
	o := newOrigin(t)
	body := randomBytes(t, 64<<10)
	o.publish(jarPath, body)
	testDone := make(chan struct{})
	t.Cleanup(func() { close(testDone) })
	o.fault(jarPath, stallHeaders(testDone))
	e := newEnv(t, o, func(c *configs.Config) {
		c.Upstream.HeaderTimeout = configs.Duration(300 * time.Millisecond)
	})

	r := get(t, e.url(jarPath))
	if r.status != http.StatusGatewayTimeout {
		t.Fatalf("status = %d, want 504; body %q", r.status, r.body)
	}
	e.assertNotCached(jarPath)

	o.fault(jarPath, nil)
	before := o.count(jarPath)
	mustGet(t, e.url(jarPath), body)
	if got := o.count(jarPath); got != before+1 {
		t.Errorf("upstream requests for the jar = %d, want %d", got, before+1)
	}
}

// A body that arrives slowly, in parts further apart than header_timeout in total,
// still completes: the header timeout does not cut a transfer that is progressing.
func TestSlowUpstreamBodyCompletes(t *testing.T) {
	o := newOrigin(t)
	body := randomBytes(t, 64<<10)
	o.publish(jarPath, body)
	o.fault(jarPath, trickle(body, 4, 150*time.Millisecond))
	e := newEnv(t, o, func(c *configs.Config) {
		c.Upstream.HeaderTimeout = configs.Duration(200 * time.Millisecond)
	})

	r := mustGet(t, e.url(jarPath), body)
	if got := r.header.Get("X-Hoard-Cache"); got != resultMiss {
		t.Errorf("X-Hoard-Cache = %q, want miss", got)
	}
	e.waitFills()
	if _, err := e.store.Lookup(e.key(jarPath)); err != nil {
		t.Errorf("slow but complete artifact not cached: %v", err)
	}
}
