package proxy

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"hoard/configs"
)

// An upstream 404 is remembered for negative_ttl: the next request does not ask again.
func TestNotFoundIsRememberedForNegativeTTL(t *testing.T) {
	o := newOrigin(t)
	e := newEnv(t, o, func(c *configs.Config) { c.Cache.NegativeTTL = configs.Duration(time.Hour) })

	for i := range 3 {
		if r := get(t, e.url(jarPath)); r.status != http.StatusNotFound {
			t.Fatalf("request %d: status %d, want 404", i, r.status)
		}
	}
	if got := o.count(jarPath); got != 1 {
		t.Errorf("upstream requests for a missing artifact = %d, want 1", got)
	}
}

// Once negative_ttl has passed, the upstream is asked again.
func TestNotFoundIsForgottenAfterNegativeTTL(t *testing.T) {
	o := newOrigin(t)
	e := newEnv(t, o, func(c *configs.Config) { c.Cache.NegativeTTL = configs.Duration(20 * time.Millisecond) })

	if r := get(t, e.url(jarPath)); r.status != http.StatusNotFound {
		t.Fatalf("status %d, want 404", r.status)
	}
	waitFor(t, "the 404 to be forgotten", func() bool {
		get(t, e.url(jarPath))
		return o.count(jarPath) >= 2
	})
}

// A successful publish forgets the remembered 404 for the published path.
func TestNotFoundIsForgottenAfterPublish(t *testing.T) {
	o := newOrigin(t)
	e := newEnv(t, o, func(c *configs.Config) { c.Cache.NegativeTTL = configs.Duration(time.Hour) })
	jar := randomBytes(t, 4096)

	for _, p := range []string{jarPath, metaPath} {
		if r := get(t, e.url(p)); r.status != http.StatusNotFound {
			t.Fatalf("GET %s: status %d, want 404", p, r.status)
		}
	}
	if r := do(t, http.MethodPut, e.url(jarPath), bytes.NewReader(jar), nil); r.status != http.StatusCreated {
		t.Fatalf("PUT jar: status %d, want 201", r.status)
	}
	// The jar is now cached from the publish itself.
	mustGet(t, e.url(jarPath), jar)

	// Metadata the client uploads is not cached, so this GET must reach the upstream.
	before := o.count(metaPath)
	if r := do(t, http.MethodPut, e.url(metaPath), bytes.NewReader(metaBody), nil); r.status != http.StatusCreated {
		t.Fatalf("PUT metadata: status %d, want 201", r.status)
	}
	mustGet(t, e.url(metaPath), metaBody)
	if got := o.count(metaPath); got != before+2 { // the PUT and the GET
		t.Errorf("upstream requests for the metadata = %d, want %d", got, before+2)
	}
}
