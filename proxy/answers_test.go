package proxy

// How Hoard treats upstream answers other than a plain 200: redirects, HTML pages
// served in place of artifacts, and missing files.

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// A redirect to another host (object storage, say) is followed, but the caller's
// credentials stay with the upstream they were meant for.
func TestRedirectToOtherHostDropsCredentials(t *testing.T) {
	jar := randomBytes(t, 32<<10)
	var mu sync.Mutex
	var storageAuth []string
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		storageAuth = append(storageAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		serveBytes("application/java-archive", jar)(w, r)
	}))
	t.Cleanup(storage.Close)

	o := newOrigin(t)
	o.publish(jarPath, jar)
	o.fault(jarPath, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, storage.URL+"/blobs/lib-1.0.jar?sig=abc", http.StatusFound)
	})
	e := newEnv(t, o)

	const token = "Bearer caller-secret"
	r := do(t, http.MethodGet, e.url(jarPath), nil, http.Header{"Authorization": {token}})
	if !r.clean() || string(r.body) != string(jar) {
		t.Fatalf("status %d, read error %v, %d bytes; want the artifact", r.status, r.readErr, len(r.body))
	}
	if got := o.lastHeader(jarPath).Get("Authorization"); got != token {
		t.Errorf("upstream got Authorization %q, want the caller's", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(storageAuth) != 1 {
		t.Fatalf("storage got %d requests, want 1", len(storageAuth))
	}
	if storageAuth[0] != "" {
		t.Errorf("redirect target on another host got Authorization %q", storageAuth[0])
	}
}

// An HTML page with a 200 in place of a jar (a login page, a captive portal) is a
// bad gateway, never cached.
func TestHTMLInPlaceOfArtifactIsBadGateway(t *testing.T) {
	page := []byte("<!DOCTYPE html>\n<html><body>Please sign in</body></html>\n")
	cases := map[string]http.HandlerFunc{
		"text/html":                 serveBytes("text/html; charset=utf-8", page),
		"html sent as octet-stream": serveBytes("application/octet-stream", page),
	}
	for name, fault := range cases {
		t.Run(name, func(t *testing.T) {
			o := newOrigin(t)
			o.publish(jarPath, randomBytes(t, 1024))
			o.fault(jarPath, fault)
			e := newEnv(t, o)
			if r := get(t, e.url(jarPath)); r.status != http.StatusBadGateway {
				t.Errorf("status %d, want 502", r.status)
			}
			e.assertNotCached(jarPath)
		})
	}
}

// Gradle asks for a .module file first and falls back to the POM on 404: a missing
// one must be a 404, not an error that stops the build.
func TestMissingGradleModuleIsNotFound(t *testing.T) {
	o := newOrigin(t)
	o.publish(jarPath, randomBytes(t, 1024))
	e := newEnv(t, o)
	const module = "/com/example/lib/1.0/lib-1.0.module"
	if r := get(t, e.url(module)); r.status != http.StatusNotFound {
		t.Errorf("status %d, want 404", r.status)
	}
	e.assertNotCached(module)
}
