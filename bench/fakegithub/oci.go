package fakegithub

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ociState is the container registry's content and its token exchange's grants.
type ociState struct {
	repos   map[string]*ociRepo
	blobs   map[string][]byte     // digest -> content, shared by every repository
	uploads map[string]*ociUpload // upload session id -> data so far
	grants  map[string]ociGrant   // registry token -> what it may do
}

type ociRepo struct {
	manifests map[string]ociManifest // digest -> manifest
	tags      map[string]string      // tag -> digest
	blobs     map[string]bool        // digests linked into this repository
}

type ociManifest struct {
	mediaType string
	body      []byte
}

type ociUpload struct {
	repo string
	data []byte
}

// ociGrant is what one registry token allows: actions (pull, push, delete) by
// repository. login is "" for an anonymous token.
type ociGrant struct {
	login   string
	access  map[string]map[string]bool
	expires time.Time
}

// registryTokenLife is the expires_in of the token exchange's answers.
const registryTokenLife = 5 * time.Minute

func newOCIState() ociState {
	return ociState{repos: map[string]*ociRepo{}, blobs: map[string][]byte{}, uploads: map[string]*ociUpload{}, grants: map[string]ociGrant{}}
}

// serveOCI answers the token exchange at /token and the distribution API at /v2/.
// Registry endpoints take only registry tokens (Bearer); without one they answer 401
// with a Bearer challenge whose realm is /token on this host.
func (s *Server) serveOCI(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		s.ociToken(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v2/")
	if !ok {
		ociError(w, http.StatusNotFound, "NOT_FOUND", "not found")
		return
	}
	if rest == "" {
		s.mu.Lock()
		_, ok := s.grantLocked(r)
		s.mu.Unlock()
		if !ok {
			s.ociChallenge(w, "")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{})
		return
	}
	for _, sep := range []string{"/manifests/", "/blobs/uploads/", "/blobs/uploads", "/blobs/", "/tags/list"} {
		i := strings.LastIndex(rest, sep)
		if i <= 0 {
			continue
		}
		name, ref := rest[:i], rest[i+len(sep):]
		if !validRepo(name) {
			ociError(w, http.StatusBadRequest, "NAME_INVALID", "invalid repository name")
			return
		}
		s.ociRoute(w, r, name, sep, ref)
		return
	}
	ociError(w, http.StatusNotFound, "NOT_FOUND", "not found")
}

func (s *Server) ociRoute(w http.ResponseWriter, r *http.Request, name, kind, ref string) {
	need := "pull"
	switch {
	case r.Method == http.MethodDelete && !strings.HasPrefix(kind, "/blobs/uploads"):
		need = "delete"
	case r.Method != http.MethodGet && r.Method != http.MethodHead, strings.HasPrefix(kind, "/blobs/uploads"):
		need = "push"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grantLocked(r)
	switch {
	case !ok:
		s.ociChallenge(w, "repository:"+name+":"+need)
		return
	case !g.access[name][need] && g.login == "":
		s.ociChallenge(w, "repository:"+name+":"+need)
		return
	case !g.access[name][need]:
		ociError(w, http.StatusForbidden, "DENIED", "denied")
		return
	}
	switch kind {
	case "/manifests/":
		s.ociManifest(w, r, name, ref)
	case "/blobs/":
		s.ociBlob(w, r, name, ref)
	case "/tags/list":
		s.ociTags(w, r, name)
	default:
		s.ociUploadRoute(w, r, name, ref, g)
	}
}

// grantLocked finds the registry token a request carries.
func (s *Server) grantLocked(r *http.Request) (ociGrant, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ociGrant{}, false
	}
	g, ok := s.oci.grants[tok]
	if !ok || time.Now().After(g.expires) {
		return ociGrant{}, false
	}
	return g, true
}

// ociToken is the token exchange: Basic credentials (any user name, a personal access
// token as password) or none; a token that the API does not know is refused with 403,
// as the container registry does. Each requested action is granted when the registry
// would allow it: anonymous clients may only pull public repositories.
func (s *Server) ociToken(w http.ResponseWriter, r *http.Request) {
	tok, present := patOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	login, known := s.loginOfLocked(tok)
	if present && !known {
		ociError(w, http.StatusForbidden, "DENIED", "denied")
		return
	}
	g := ociGrant{login: login, access: map[string]map[string]bool{}, expires: time.Now().Add(registryTokenLife)}
	for _, scope := range r.URL.Query()["scope"] {
		parts := strings.Split(scope, ":")
		if len(parts) != 3 || parts[0] != "repository" || !validRepo(parts[1]) {
			continue
		}
		name := parts[1]
		owner, _, _ := strings.Cut(name, "/")
		p := s.packageLocked(Ghcr, name, owner, false)
		for _, a := range strings.Split(parts[2], ",") {
			act, ok := map[string]action{"pull": read, "push": write, "delete": remove}[a]
			allowed := ok && ((present && s.decideLocked(tok, true, Ghcr, name, owner, act) == 0) ||
				(!present && act == read && p != nil && p.public))
			if allowed {
				if g.access[name] == nil {
					g.access[name] = map[string]bool{}
				}
				g.access[name][a] = true
			}
		}
	}
	reg := "regtok_" + randomAlnum(40)
	s.oci.grants[reg] = g
	s.issued = append(s.issued, reg)
	writeJSON(w, http.StatusOK, map[string]any{"token": reg, "expires_in": int(registryTokenLife.Seconds())})
}

// ociChallenge answers 401 with the Bearer challenge that sends clients to /token.
func (s *Server) ociChallenge(w http.ResponseWriter, scope string) {
	base := s.URL(Ghcr)
	u, _ := url.Parse(base)
	ch := `Bearer realm="` + base + `/token",service="` + u.Host + `"`
	if scope != "" {
		ch += `,scope="` + scope + `"`
	}
	w.Header().Set("WWW-Authenticate", ch)
	ociError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
}

func ociError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
}

// validRepo accepts lower-case path components of letters, digits and separators.
func validRepo(name string) bool {
	if name == "" || len(name) > 255 {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				return false
			}
		}
	}
	return true
}
