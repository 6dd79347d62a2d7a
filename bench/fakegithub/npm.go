package fakegithub

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// npmPackage is one scoped package of the npm registry.
type npmPackage struct {
	rev      int
	distTags map[string]string
	versions map[string]map[string]any // version -> its document, dist.tarball pointing here
	tarballs map[string][]byte         // version -> .tgz
}

// serveNpm answers the npm registry API for scoped packages: GET of a packument (the
// scope's slash escaped or not), GET /download/@SCOPE/NAME/VERSION/DIGEST of a tarball,
// PUT of a publish or a metadata change, PUT and DELETE of NAME/-rev/REV (unpublish of
// versions or of the whole package) and DELETE of a tarball. The scope is the owner.
func (s *Server) serveNpm(w http.ResponseWriter, r *http.Request) {
	var segs []string
	for _, raw := range strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/") {
		seg, err := url.PathUnescape(raw)
		if err != nil {
			npmError(w, http.StatusBadRequest, "bad path")
			return
		}
		segs = append(segs, seg)
	}
	if len(segs) == 5 && segs[0] == "download" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		s.npmTarball(w, r, segs[1]+"/"+segs[2], segs[3], segs[4])
		return
	}
	if len(segs) == 0 || !strings.HasPrefix(segs[0], "@") {
		npmError(w, http.StatusNotFound, "Not Found")
		return
	}
	name, tail := segs[0], segs[1:]
	if !strings.Contains(name, "/") {
		if len(segs) < 2 {
			npmError(w, http.StatusNotFound, "Not Found")
			return
		}
		name, tail = segs[0]+"/"+segs[1], segs[2:]
	}
	owner, _, _ := strings.Cut(strings.TrimPrefix(name, "@"), "/")
	switch {
	case len(tail) == 0 && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		s.npmGuard(w, r, name, owner, read, s.npmPackument)
	case len(tail) == 0 && r.Method == http.MethodPut:
		s.npmGuard(w, r, name, owner, write, s.npmPublish)
	case len(tail) == 2 && tail[0] == "-rev" && r.Method == http.MethodPut:
		s.npmGuard(w, r, name, owner, remove, s.npmUnpublishVersions)
	case len(tail) == 2 && tail[0] == "-rev" && r.Method == http.MethodDelete:
		s.npmGuard(w, r, name, owner, remove, s.npmUnpublish)
	case len(tail) == 4 && tail[0] == "-" && tail[2] == "-rev" && r.Method == http.MethodDelete:
		s.npmGuard(w, r, name, owner, remove, func(w http.ResponseWriter, _ *http.Request, name, _ string) {
			s.npmDeleteTarball(w, name, tail[1])
		})
	default:
		npmError(w, http.StatusNotFound, "Not Found")
	}
}

// npmGuard checks the token, then runs fn with the lock held.
func (s *Server) npmGuard(w http.ResponseWriter, r *http.Request, name, owner string, act action,
	fn func(w http.ResponseWriter, r *http.Request, name, owner string)) {
	tok, present := patOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if status := s.decideLocked(tok, present, Npm, name, owner, act); status != 0 {
		npmError(w, status, "")
		return
	}
	fn(w, r, name, owner)
}

func (s *Server) npmPackument(w http.ResponseWriter, r *http.Request, name, _ string) {
	p := s.npm[name]
	if p == nil {
		npmError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_id": name, "name": name, "_rev": npmRev(name, p), "dist-tags": p.distTags, "versions": p.versions,
	})
}

func (s *Server) npmTarball(w http.ResponseWriter, r *http.Request, name, version, digest string) {
	owner, _, _ := strings.Cut(strings.TrimPrefix(name, "@"), "/")
	tok, present := patOf(r)
	s.mu.Lock()
	status := s.decideLocked(tok, present, Npm, name, owner, read)
	var tgz []byte
	if p := s.npm[name]; p != nil {
		tgz = p.tarballs[version]
	}
	s.mu.Unlock()
	if status == 0 && (tgz == nil || npmDigest(tgz) != digest) {
		status = http.StatusNotFound
	}
	if status != 0 {
		npmError(w, status, "")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(tgz)
}

func (s *Server) npmUnpublish(w http.ResponseWriter, r *http.Request, name, _ string) {
	if s.npm[name] == nil {
		npmError(w, http.StatusNotFound, "Not Found")
		return
	}
	delete(s.npm, name)
	delete(s.packages, Npm+":"+name)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) npmDeleteTarball(w http.ResponseWriter, name, file string) {
	if p := s.npm[name]; p != nil {
		for v := range p.versions {
			if file == npmFile(name, v) && p.tarballs[v] != nil {
				delete(p.tarballs, v)
				p.rev++
				writeJSON(w, http.StatusOK, map[string]any{"ok": true})
				return
			}
		}
	}
	npmError(w, http.StatusNotFound, "Not Found")
}

// npmFile is the registry's file name of a version's tarball: NAME-VERSION.tgz with
// the scope left out.
func npmFile(name, version string) string {
	_, bare, _ := strings.Cut(name, "/")
	return bare + "-" + version + ".tgz"
}

func npmRev(name string, p *npmPackage) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s@%d", name, p.rev)))
	return fmt.Sprintf("%d-%x", p.rev, sum[:8])
}

// npmError answers in npm's shape; a 401 carries the registry's Basic challenge.
func npmError(w http.ResponseWriter, status int, msg string) {
	if msg == "" {
		switch status {
		case http.StatusUnauthorized:
			msg = "unauthenticated: User cannot be authenticated with the token provided."
		case http.StatusForbidden:
			msg = "permission_denied: The token provided does not match expected scopes."
		default:
			msg = http.StatusText(status)
		}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitHub Package Registry"`)
	}
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
