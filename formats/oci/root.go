package oci

import (
	"net/http"
	"strings"
)

// APIRoot implements formats.Rooted: clients speak the API at /v2/, where the
// mount is the first segment of the repository name.
func (Format) APIRoot() string { return "v2" }

// registryAPIVersion is the header value every /v2/ answer carries, shared read-only.
var registryAPIVersion = []string{"registry/2.0"}

// RootHeader implements formats.Rooted.
func (Format) RootHeader(h http.Header) { h["Docker-Distribution-Api-Version"] = registryAPIVersion }

// basicChallenge is the challenge of every 401: docker, podman, containerd, skopeo
// and crane all answer Basic with the credentials they hold for the registry.
const basicChallenge = `Basic realm="hoard"`

// ServeRoot implements formats.Rooted: GET /v2/. A client without credentials is
// challenged, as registries that take credentials do: docker and skopeo learn from
// this answer whether to send theirs, and go on anonymously when they have none.
// With credentials, the answer is 200 unless the server knows them to be bad (so
// `docker login` reports it).
func (Format) ServeRoot(w http.ResponseWriter, r *http.Request, refused func() bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeErrorCode(w, http.StatusMethodNotAllowed, CodeUnsupported, "method not allowed")
		return
	}
	if r.Header.Get("Authorization") == "" {
		w.Header().Set("WWW-Authenticate", basicChallenge)
		writeErrorCode(w, http.StatusUnauthorized, CodeUnauthorized, "authentication required")
		return
	}
	if refused() {
		w.Header().Set("WWW-Authenticate", basicChallenge)
		writeErrorCode(w, http.StatusUnauthorized, CodeUnauthorized, "token is unknown, revoked or expired")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte("{}"))
}

// MirrorHost implements formats.Rooted: containerd names the registry a mirror
// stands in for with ?ns=HOST.
func (Format) MirrorHost(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return r.URL.Query().Get("ns")
}

// CleanQuery implements formats.Rooted: it drops ?ns= and turns a cross-repository
// mount's from= into the name at the upstream. A from= in another mount cannot be
// mounted upstream: mount= and from= are dropped, and the upstream answers with a
// plain upload session, which clients then fill.
func (Format) CleanQuery(r *http.Request, prefix string, isMount func(first string) bool) {
	if r.URL.RawQuery == "" {
		return
	}
	q := r.URL.Query()
	if q.Has("ns") {
		q.Del("ns")
	}
	if from := q.Get("from"); from != "" {
		inMount := false
		if prefix != "" {
			var after string
			after, inMount = strings.CutPrefix(from, prefix)
			q.Set("from", after)
		} else {
			first, _, _ := strings.Cut(from, "/")
			inMount = !isMount(first)
		}
		if !inMount {
			q.Del("from")
			q.Del("mount")
		}
	}
	r.URL.RawQuery = q.Encode()
}
