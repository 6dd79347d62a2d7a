package proxy

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Offline, Hoard serves what it has (stale metadata with a Warning), answers the rest
// at once (a status no client retries) saying so, and never contacts the upstream.
func TestOfflineServesCacheAndNeverCallsUpstream(t *testing.T) {
	o := newOrigin(t)
	jar := randomBytes(t, 8192)
	o.publish(jarPath, jar)
	o.add(metaPath, metaBody)
	o.publish("/com/example/lib/2.0/lib-2.0.jar", jar)
	online := newEnv(t, o)
	mustGet(t, online.url(jarPath), jar)
	mustGet(t, online.url(metaPath), metaBody)
	online.waitFills()

	cfg := testConfig(online.dir, o.srv.URL)
	cfg.Offline = true
	_, hs, clock := startServer(t, online.store, cfg)
	clock.Advance(24 * time.Hour) // every metadata TTL has passed
	before := o.totalCount()
	url := func(p string) string { return hs.URL + "/maven" + p }

	wantCacheResult(t, mustGet(t, url(jarPath), jar), resultHit)
	r := mustGet(t, url(metaPath), metaBody)
	wantCacheResult(t, r, resultStale)
	if w := r.header.Get("Warning"); !strings.HasPrefix(w, "112 ") {
		t.Errorf("Warning = %q, want 112 (disconnected operation)", w)
	}

	for _, p := range []string{"/com/example/lib/2.0/lib-2.0.jar", "/com/example/other/maven-metadata.xml"} {
		r := get(t, url(p))
		if r.status != statusNotAvailable || !strings.Contains(string(r.body), "not available offline") {
			t.Errorf("GET %s offline: status %d body %q, want %d saying not available offline", p, r.status, r.body, statusNotAvailable)
		}
	}
	put := do(t, http.MethodPut, url("/com/example/lib/3.0/lib-3.0.jar"), bytes.NewReader(jar), nil)
	if put.status != statusNotAvailable {
		t.Errorf("PUT offline: status %d, want %d", put.status, statusNotAvailable)
	}
	if got := o.totalCount(); got != before {
		t.Errorf("offline server made %d upstream requests", got-before)
	}
}
