package proxy

// What one caller's request may and may not decide for another when Hoard passes the
// callers' own credentials upstream (GitHub Packages answers 404 to a caller who may
// not read a private package).

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"hoard/configs"
)

const (
	ownerAuth    = "Bearer owner-token"
	strangerAuth = "Bearer stranger-token"
)

// ownerOnly serves the origin's files to ownerAuth and 404s everyone else, for GET
// and HEAD; other methods go to the plain origin.
func ownerOnly(o *origin, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != ownerAuth {
			http.NotFound(w, r)
			return
		}
		serveBytes("application/java-archive", body)(w, r)
	}
}

// A 404 the upstream gave one caller is not a 404 for a caller it would serve.
func TestNotFoundForOneCallerIsNotRememberedForAnother(t *testing.T) {
	o := newOrigin(t)
	jar := randomBytes(t, 4096)
	o.publish(jarPath, jar)
	o.fault(jarPath, ownerOnly(o, jar))
	e := newEnv(t, o, func(c *configs.Config) { c.Cache.NegativeTTL = configs.Duration(time.Hour) })

	for range 2 {
		r := do(t, http.MethodGet, e.url(jarPath), nil, http.Header{"Authorization": {strangerAuth}})
		if r.status != http.StatusNotFound {
			t.Fatalf("stranger: status %d, want 404", r.status)
		}
	}
	if got := o.count(jarPath); got != 1 {
		t.Errorf("upstream requests for the stranger's two GETs = %d, want 1 (the 404 remembered)", got)
	}
	r := do(t, http.MethodGet, e.url(jarPath), nil, http.Header{"Authorization": {ownerAuth}})
	if !r.clean() || !bytes.Equal(r.body, jar) {
		t.Fatalf("owner after a stranger's 404: status %d body %.80q, want the artifact", r.status, r.body)
	}
}

// An artifact published with the caller's own credentials is private content: another
// caller gets it from the cache only once the upstream confirms it may read it.
func TestPublishedArtifactIsPrivateToCallersTheUpstreamAllows(t *testing.T) {
	o := newOrigin(t)
	jar := randomBytes(t, 4096)
	e := newEnv(t, o)

	r := do(t, http.MethodPut, e.url(jarPath), bytes.NewReader(jar), http.Header{"Authorization": {ownerAuth}})
	if r.status != http.StatusCreated {
		t.Fatalf("PUT: status %d", r.status)
	}
	o.fault(jarPath, ownerOnly(o, jar))

	r = do(t, http.MethodGet, e.url(jarPath), nil, http.Header{"Authorization": {strangerAuth}})
	if r.status != http.StatusNotFound || bytes.Equal(r.body, jar) {
		t.Errorf("stranger read the published artifact from the cache: status %d", r.status)
	}
	r = do(t, http.MethodGet, e.url(jarPath), nil, http.Header{"Authorization": {ownerAuth}})
	if !r.clean() || !bytes.Equal(r.body, jar) {
		t.Errorf("owner: status %d, want the artifact", r.status)
	}
}
