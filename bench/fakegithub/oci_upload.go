package fakegithub

import (
	"fmt"
	"io"
	"net/http"
)

// ociUploadRoute serves blob uploads; the lock is held. ref is "" for POST
// /v2/NAME/blobs/uploads/ (a new session, a monolithic upload with ?digest=, or a
// cross-repository mount with ?mount=&from=) and the session id otherwise (PATCH a
// chunk, PUT ?digest= to close, GET its status, DELETE to cancel).
func (s *Server) ociUploadRoute(w http.ResponseWriter, r *http.Request, name, ref string, g ociGrant) {
	q := r.URL.Query()
	if ref == "" {
		if r.Method != http.MethodPost {
			ociError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "method not allowed")
			return
		}
		if d, from := q.Get("mount"), q.Get("from"); d != "" && from != "" && g.access[from]["pull"] {
			if src := s.repoLocked(from, false); src != nil && src.blobs[d] {
				s.repoLocked(name, true).blobs[d] = true
				blobCreated(w, name, d)
				return
			}
		}
		if d := q.Get("digest"); d != "" {
			s.finishUpload(w, r, name, d, nil)
			return
		}
		id := randomAlnum(24)
		s.oci.uploads[id] = &ociUpload{repo: name}
		uploadAccepted(w, name, id, 0)
		return
	}
	up := s.oci.uploads[ref]
	if up == nil || up.repo != name {
		ociError(w, http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
		return
	}
	switch r.Method {
	case http.MethodGet:
		w.Header().Set("Range", fmt.Sprintf("0-%d", max(len(up.data)-1, 0)))
		w.Header().Set("Docker-Upload-UUID", ref)
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPatch:
		b, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
		if err != nil {
			ociError(w, http.StatusBadRequest, "BLOB_UPLOAD_INVALID", "reading the chunk")
			return
		}
		up.data = append(up.data, b...)
		uploadAccepted(w, name, ref, len(up.data))
	case http.MethodPut:
		delete(s.oci.uploads, ref)
		s.finishUpload(w, r, name, q.Get("digest"), up.data)
	case http.MethodDelete:
		delete(s.oci.uploads, ref)
		w.WriteHeader(http.StatusNoContent)
	default:
		ociError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "method not allowed")
	}
}

// finishUpload appends the request body to what was uploaded before, checks the
// digest and links the blob into the repository.
func (s *Server) finishUpload(w http.ResponseWriter, r *http.Request, name, digest string, prior []byte) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
	if err != nil {
		ociError(w, http.StatusBadRequest, "BLOB_UPLOAD_INVALID", "reading the body")
		return
	}
	data := append(prior, b...)
	if digest == "" || digestOf(data) != digest {
		ociError(w, http.StatusBadRequest, "DIGEST_INVALID", "provided digest did not match uploaded content")
		return
	}
	s.oci.blobs[digest] = data
	s.repoLocked(name, true).blobs[digest] = true
	blobCreated(w, name, digest)
}

func blobCreated(w http.ResponseWriter, name, digest string) {
	w.Header().Set("Location", "/v2/"+name+"/blobs/"+digest)
	w.Header().Set("Docker-Content-Digest", digest)
	w.WriteHeader(http.StatusCreated)
}

// uploadAccepted answers 202 with the session's URL and what it holds.
func uploadAccepted(w http.ResponseWriter, name, id string, size int) {
	w.Header().Set("Location", "/v2/"+name+"/blobs/uploads/"+id)
	w.Header().Set("Docker-Upload-UUID", id)
	w.Header().Set("Range", fmt.Sprintf("0-%d", max(size-1, 0)))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
}
