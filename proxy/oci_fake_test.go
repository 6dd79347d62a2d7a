package proxy

// A fake OCI registry with Docker token auth, for the OCI tests: manifests by tag
// and digest, blobs redirected to a separate "object storage" server, uploads, and
// a token server whose realm can be put on another host.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

type fakeRegistry struct {
	srv, storage, elsewhere *httptest.Server

	mu        sync.Mutex
	manifest  []byte            // served for every tag of lib/img
	blob      []byte            // served (via storage) for its digest
	private   map[string]string // repo -> "user:pass" required at the token server
	realmHost string            // "" = own host; else the realm's host

	tokenCalls, manifestGets, manifestHeads, storageAuth, elsewhereHits atomic.Int64
	elsewhereAuth                                                       atomic.Int64 // token requests with credentials at the other host
	rejectTokens                                                        atomic.Int64 // refuse this many valid tokens (as if expired)
	lastTokenAuth                                                       atomic.Value
}

func digestHex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func newFakeRegistry(t testing.TB) *fakeRegistry {
	f := &fakeRegistry{private: map[string]string{}}
	f.manifest = []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}`)
	f.blob = []byte(strings.Repeat("layer-bytes ", 1000))
	f.storage = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			f.storageAuth.Add(1)
		}
		w.Write(f.blob)
	}))
	f.elsewhere = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.elsewhereHits.Add(1)
		if r.Header.Get("Authorization") != "" {
			f.elsewhereAuth.Add(1)
		}
		if r.URL.Path == "/token" {
			f.serveToken(w, r) // a token server on another host, as Docker Hub's
			return
		}
		http.NotFound(w, r)
	}))
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() { f.srv.Close(); f.storage.Close(); f.elsewhere.Close() })
	return f
}

func (f *fakeRegistry) challenge(w http.ResponseWriter, scope string) {
	realm := f.srv.URL + "/token"
	if f.realmHost != "" {
		realm = f.realmHost + "/token"
	}
	v := `Bearer realm="` + realm + `",service="fake"`
	if scope != "" {
		v += `,scope="` + scope + `"`
	}
	w.Header().Set("WWW-Authenticate", v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"auth"}]}`))
}

func (f *fakeRegistry) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if p == "/token" {
		f.serveToken(w, r)
		return
	}
	if p == "/v2/" {
		f.challenge(w, "")
		return
	}
	repo, _ := splitRepo(p)
	if r.Header.Get("Authorization") != "Bearer tok:repository:"+repo+":pull" &&
		!strings.HasPrefix(r.Header.Get("Authorization"), "Bearer tok:repository:"+repo+":") {
		f.challenge(w, "repository:"+repo+":pull")
		return
	}
	if f.rejectTokens.Load() > 0 {
		f.rejectTokens.Add(-1)
		f.challenge(w, "repository:"+repo+":pull")
		return
	}
	f.mu.Lock()
	m, blob := f.manifest, f.blob
	f.mu.Unlock()
	switch {
	case strings.Contains(p, "/manifests/"):
		// Every reference gets the same bytes: asked for another digest, this is a
		// tampering upstream.
		if r.Method == http.MethodHead {
			f.manifestHeads.Add(1)
		} else {
			f.manifestGets.Add(1)
		}
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		w.Header().Set("Docker-Content-Digest", "sha256:"+digestHex(m))
		if r.Method != http.MethodHead {
			w.Write(m)
		}
	case strings.Contains(p, "/blobs/uploads/"):
		w.Header().Set("Location", f.srv.URL+"/v2/"+repo+"/blobs/uploads/u1?_state=abc")
		w.WriteHeader(http.StatusAccepted)
	case strings.Contains(p, "/blobs/"):
		if p[strings.LastIndex(p, "/")+1:] != "sha256:"+digestHex(blob) {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, f.storage.URL+"/bucket/blob?sig=x", http.StatusTemporaryRedirect)
	default:
		http.NotFound(w, r)
	}
}

// serveToken issues a token for the scope asked, if the credentials sent may have it.
func (f *fakeRegistry) serveToken(w http.ResponseWriter, r *http.Request) {
	f.tokenCalls.Add(1)
	f.lastTokenAuth.Store(r.Header.Get("Authorization"))
	scope := r.URL.Query().Get("scope")
	repo := strings.Split(strings.TrimPrefix(scope, "repository:"), ":")[0]
	f.mu.Lock()
	need := f.private[repo]
	f.mu.Unlock()
	if need != "" {
		u, pw, ok := r.BasicAuth()
		if !ok || u+":"+pw != need {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"token": "tok:" + scope, "expires_in": 300})
}

// splitRepo finds the repository in /v2/REPO/(manifests|blobs)/...
func splitRepo(p string) (string, string) {
	rest := strings.TrimPrefix(p, "/v2/")
	for _, kw := range []string{"/manifests/", "/blobs/"} {
		if i := strings.Index(rest, kw); i >= 0 {
			return rest[:i], rest[i:]
		}
	}
	return rest, ""
}
