package proxy

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"hoard/cache"
)

// A deploy goes upstream with the caller's credentials; the upstream's 401 challenge
// reaches the client as it was sent; nothing is cached until the upstream accepts.
// On success the artifact is cached and the artifact's metadata is invalidated.
func TestPublishForwardsAndCachesOnSuccess(t *testing.T) {
	const auth = "Basic ZGVwbG95ZXI6czNjcmV0" // deployer:s3cret
	o := newOrigin(t)
	o.putAuth = auth
	o.add(metaPath, metaBody)
	e := newEnv(t, o)
	jar := randomBytes(t, 64<<10)

	// No credentials: the origin's challenge is relayed unchanged.
	r := do(t, http.MethodPut, e.url(jarPath), bytes.NewReader(jar), nil)
	if r.status != http.StatusUnauthorized {
		t.Fatalf("PUT without credentials: status %d, want 401", r.status)
	}
	if got := r.header.Get("WWW-Authenticate"); got != `Basic realm="origin"` {
		t.Errorf("WWW-Authenticate = %q, want the origin's challenge", got)
	}
	if !strings.Contains(string(r.body), "credentials needed") {
		t.Errorf("401 body %q is not the origin's", r.body)
	}
	e.assertNotCached(jarPath)

	mustGet(t, e.url(metaPath), metaBody)
	if _, err := e.store.Lookup(e.key(metaPath)); err != nil {
		t.Fatalf("metadata not cached before the deploy: %v", err)
	}

	r = do(t, http.MethodPut, e.url(jarPath), bytes.NewReader(jar), http.Header{"Authorization": {auth}})
	if r.status != http.StatusCreated {
		t.Fatalf("PUT with credentials: status %d, want 201", r.status)
	}
	if got := o.lastHeader(jarPath).Get("Authorization"); got != auth {
		t.Errorf("upstream got Authorization %q, want the caller's", got)
	}
	o.mu.Lock()
	stored := o.files[jarPath]
	o.mu.Unlock()
	if !bytes.Equal(stored, jar) {
		t.Errorf("upstream stored %d bytes that differ from the %d sent", len(stored), len(jar))
	}
	if _, err := e.store.Lookup(e.key(metaPath)); !errors.Is(err, cache.ErrNotFound) {
		t.Errorf("metadata still cached after a deploy to its artifact: %v", err)
	}

	// The published artifact is served from the cache with the upstream gone, to the
	// deployer (it is private content: published with the caller's own credentials).
	o.srv.Close()
	r = do(t, http.MethodGet, e.url(jarPath), nil, http.Header{"Authorization": {auth}})
	if !r.clean() || !bytes.Equal(r.body, jar) {
		t.Fatalf("GET after the deploy: status %d, read error %v", r.status, r.readErr)
	}
	wantCacheResult(t, r, resultHit)
}
