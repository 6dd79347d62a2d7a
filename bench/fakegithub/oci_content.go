package fakegithub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// maxManifest is the largest manifest accepted, as registries cap them.
const maxManifest = 4 << 20

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (s *Server) repoLocked(name string, create bool) *ociRepo {
	repo := s.oci.repos[name]
	if repo == nil && create {
		repo = &ociRepo{manifests: map[string]ociManifest{}, tags: map[string]string{}, blobs: map[string]bool{}}
		s.oci.repos[name] = repo
		owner, _, _ := strings.Cut(name, "/")
		s.packageLocked(Ghcr, name, owner, true)
	}
	return repo
}

// ociManifest serves GET, HEAD, PUT and DELETE of /v2/NAME/manifests/REF; the lock is
// held.
func (s *Server) ociManifest(w http.ResponseWriter, r *http.Request, name, ref string) {
	repo := s.repoLocked(name, r.Method == http.MethodPut)
	if repo == nil {
		ociError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
		return
	}
	digest := ref
	if !strings.HasPrefix(ref, "sha256:") {
		digest = repo.tags[ref]
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		m, ok := repo.manifests[digest]
		if !ok {
			ociError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		w.Header().Set("Content-Type", m.mediaType)
		w.Header().Set("Docker-Content-Digest", digest)
		w.Header().Set("Content-Length", fmt.Sprint(len(m.body)))
		w.Write(m.body)
	case http.MethodPut:
		s.ociPutManifest(w, r, name, ref, repo)
	case http.MethodDelete:
		if _, ok := repo.manifests[digest]; !ok {
			ociError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		if ref == digest {
			delete(repo.manifests, digest)
			for tag, d := range repo.tags {
				if d == digest {
					delete(repo.tags, tag)
				}
			}
		} else {
			delete(repo.tags, ref)
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		ociError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "method not allowed")
	}
}

func (s *Server) ociPutManifest(w http.ResponseWriter, r *http.Request, name, ref string, repo *ociRepo) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxManifest+1))
	if err != nil || len(body) > maxManifest {
		ociError(w, http.StatusBadRequest, "MANIFEST_INVALID", "manifest unreadable or too large")
		return
	}
	var m struct {
		MediaType string `json:"mediaType"`
		Config    struct {
			Digest string `json:"digest"`
		} `json:"config"`
		Layers []struct {
			Digest string `json:"digest"`
		} `json:"layers"`
		Manifests []struct {
			Digest string `json:"digest"`
		} `json:"manifests"`
	}
	if json.Unmarshal(body, &m) != nil {
		ociError(w, http.StatusBadRequest, "MANIFEST_INVALID", "manifest is not JSON")
		return
	}
	digest := digestOf(body)
	if strings.HasPrefix(ref, "sha256:") && ref != digest {
		ociError(w, http.StatusBadRequest, "DIGEST_INVALID", "digest does not match the manifest")
		return
	}
	blobs := []string{m.Config.Digest}
	for _, l := range m.Layers {
		blobs = append(blobs, l.Digest)
	}
	for _, d := range blobs {
		if d != "" && !repo.blobs[d] {
			ociError(w, http.StatusBadRequest, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry")
			return
		}
	}
	for _, c := range m.Manifests {
		if _, ok := repo.manifests[c.Digest]; !ok {
			ociError(w, http.StatusBadRequest, "MANIFEST_UNKNOWN", "child manifest unknown")
			return
		}
	}
	mediaType := r.Header.Get("Content-Type")
	if mediaType == "" {
		mediaType = m.MediaType
	}
	repo.manifests[digest] = ociManifest{mediaType: mediaType, body: body}
	if !strings.HasPrefix(ref, "sha256:") {
		repo.tags[ref] = digest
	}
	w.Header().Set("Location", "/v2/"+name+"/manifests/"+digest)
	w.Header().Set("Docker-Content-Digest", digest)
	w.WriteHeader(http.StatusCreated)
}

// ociBlob serves HEAD (here), GET (a redirect to blob storage under a signed URL, as
// the container registry does) and DELETE of /v2/NAME/blobs/DIGEST.
func (s *Server) ociBlob(w http.ResponseWriter, r *http.Request, name, digest string) {
	repo := s.repoLocked(name, false)
	if repo == nil || !repo.blobs[digest] {
		ociError(w, http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown to registry")
		return
	}
	switch r.Method {
	case http.MethodHead:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Docker-Content-Digest", digest)
		w.Header().Set("Content-Length", fmt.Sprint(len(s.oci.blobs[digest])))
	case http.MethodGet:
		sig := randomAlnum(32)
		s.signed[sig] = digest
		s.issued = append(s.issued, sig)
		http.Redirect(w, r, s.URL(Storage)+"/blobs/"+digest+"?sig="+sig, http.StatusTemporaryRedirect)
	case http.MethodDelete:
		delete(repo.blobs, digest)
		w.WriteHeader(http.StatusAccepted)
	default:
		ociError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "method not allowed")
	}
}

func (s *Server) ociTags(w http.ResponseWriter, r *http.Request, name string) {
	repo := s.repoLocked(name, false)
	if repo == nil {
		ociError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
		return
	}
	tags := []string{}
	for t := range repo.tags {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "tags": tags})
}

// serveStorage is blob storage on its own host: a blob is served to whoever holds its
// signed URL, and a request that carries an Authorization header is counted (a client
// must never send one there).
func (s *Server) serveStorage(w http.ResponseWriter, r *http.Request) {
	digest, _ := strings.CutPrefix(r.URL.Path, "/blobs/")
	s.mu.Lock()
	if r.Header.Get("Authorization") != "" {
		s.storageAuth++
	}
	ok := s.signed[r.URL.Query().Get("sig")] == digest
	body := s.oci.blobs[digest]
	s.mu.Unlock()
	if !ok || body == nil {
		http.Error(w, "AccessDenied", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}

// StorageAuthorized counts requests to blob storage that carried an Authorization
// header: credentials sent to a host other than the registry's.
func (s *Server) StorageAuthorized() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storageAuth
}
