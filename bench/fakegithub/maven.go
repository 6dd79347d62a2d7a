package fakegithub

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"path"
	"strings"
)

// maxUpload bounds one published file or blob.
const maxUpload = 256 << 20

// serveMaven answers /OWNER/REPO/<maven layout path>. Packages belong to OWNER (the
// REPO segment only links them to a repository, so any REPO of an owner sees the same
// files). Checksum files are computed for files that were published without them.
func (s *Server) serveMaven(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	for _, seg := range segs {
		if seg == "" || seg == "." || seg == ".." {
			mavenError(w, http.StatusBadRequest, "bad path")
			return
		}
	}
	if len(segs) < 4 {
		mavenError(w, http.StatusNotFound, "not found")
		return
	}
	owner, repo, rest := segs[0], segs[1], strings.Join(segs[2:], "/")
	act := read
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPut:
		act = write
	case http.MethodDelete:
		act = remove
	default:
		mavenError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	tok, present := patOf(r)
	key := owner + "/" + rest
	name := owner + "/" + mavenPackageDir(rest)
	s.mu.Lock()
	if status := s.decideLocked(tok, present, Maven, name, owner, act); status != 0 {
		s.mu.Unlock()
		mavenError(w, status, "")
		return
	}
	p := s.packageLocked(Maven, name, owner, false)
	switch act {
	case read:
		body, ok := s.mavenFileLocked(key)
		s.mu.Unlock()
		switch {
		case ok:
			w.Header().Set("Content-Type", mavenContentType(rest))
			w.Header().Set("ETag", `"`+hexSum(sha1.New(), body)+`"`)
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.Write(body)
		case p == nil && s.tree != nil && owner+"/"+repo == s.treeRepo:
			r2 := r.Clone(r.Context())
			r2.URL.Path, r2.URL.RawPath = "/"+rest, ""
			r2.Header.Del("Authorization")
			s.tree.ServeHTTP(w, r2)
		default:
			mavenError(w, http.StatusNotFound, "")
		}
	case write:
		_, exists := s.maven[key]
		s.mu.Unlock()
		body, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
		if err != nil {
			mavenError(w, http.StatusBadRequest, "reading the body")
			return
		}
		if exists && !mavenMutable(rest) {
			mavenError(w, http.StatusConflict, "Cannot publish over existing version")
			return
		}
		s.mu.Lock()
		s.packageLocked(Maven, name, owner, true)
		s.maven[key] = body
		s.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	case remove:
		_, exists := s.maven[key]
		delete(s.maven, key)
		s.mu.Unlock()
		if !exists {
			mavenError(w, http.StatusNotFound, "")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// mavenFileLocked returns a stored file, or the checksum of one.
func (s *Server) mavenFileLocked(key string) ([]byte, bool) {
	if b, ok := s.maven[key]; ok {
		return b, true
	}
	sums := map[string]func() hash.Hash{".sha1": sha1.New, ".md5": md5.New, ".sha256": sha256.New, ".sha512": sha512.New}
	for ext, h := range sums {
		if base, ok := strings.CutSuffix(key, ext); ok {
			if b, ok := s.maven[base]; ok {
				return []byte(hexSum(h(), b)), true
			}
		}
	}
	return nil, false
}

// mavenPackageDir is the artifact directory a path belongs to: the package.
func mavenPackageDir(rest string) string {
	dir := path.Dir(rest)
	if strings.HasPrefix(path.Base(rest), "maven-metadata.xml") {
		if strings.HasSuffix(dir, "-SNAPSHOT") {
			return path.Dir(dir)
		}
		return dir
	}
	return path.Dir(dir)
}

// mavenMutable: metadata and snapshots may be published again; releases may not.
func mavenMutable(rest string) bool {
	return strings.HasPrefix(path.Base(rest), "maven-metadata.xml") || strings.Contains(rest, "-SNAPSHOT")
}

func mavenContentType(p string) string {
	switch {
	case strings.HasSuffix(p, ".jar"):
		return "application/java-archive"
	case strings.HasSuffix(p, ".pom"), strings.HasSuffix(p, ".xml"):
		return "application/xml"
	}
	return "application/octet-stream"
}

// mavenError answers as the Maven registry does: plain text, and a Basic challenge
// with a 401, which is what makes Maven send its credentials.
func mavenError(w http.ResponseWriter, status int, msg string) {
	if msg == "" {
		msg = http.StatusText(status)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitHub Package Registry"`)
	}
	http.Error(w, msg, status)
}

func hexSum(h hash.Hash, b []byte) string {
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}
