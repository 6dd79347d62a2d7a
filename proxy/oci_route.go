package proxy

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"hoard/formats"
	"hoard/formats/oci"
	"hoard/policy"
)

// ociFormat is the configuration name of the OCI distribution format, whose API the
// server answers at /v2/ rather than under /MOUNT/.
const ociFormat = "oci"

// serveOCI answers /v2/...: the API root, and repository paths whose first segment
// names an OCI mount ("/v2/ghcr/owner/image/manifests/1" is owner/image at the ghcr
// mount's upstream); other names go whole to the default OCI mount, if one is
// configured (Docker's registry-mirrors cannot add a path). sub is the escaped path
// after "/v2", from its slash on.
func (s *Server) serveOCI(w http.ResponseWriter, r *http.Request, sub string) {
	w.Header()["Docker-Distribution-Api-Version"] = registryAPIVersion
	if sub == "/" {
		s.ociPing(w, r)
		return
	}
	m, prefix, sub := s.ociMount(r, sub)
	if m == nil {
		oci.WriteErrorCode(w, http.StatusNotFound, oci.CodeNameUnknown, "no registry is mounted for this repository")
		return
	}
	ri := infoOf(r)
	ri.mount, ri.format = m.name, m.format.Name()
	if r.URL.RawQuery != "" {
		ociCleanQuery(r, prefix, s.ociNames)
	}
	ow := &ociWriter{ResponseWriter: w, r: r, ociMount: m.ociMount(prefix)}
	s.serveMount(ow, r, m, sub)
}

// registryAPIVersion is the header value every /v2/ answer carries, shared read-only.
var registryAPIVersion = []string{"registry/2.0"}

// ociMount is what an ociWriter needs of its mount, worked out once per mount and
// name prefix rather than on every request.
type ociMount struct {
	public    string // Hoard's public URL of the mount's names
	upstreams []*url.URL
	challenge string
}

// newOCIMount describes m's answers under /v2/PREFIX (prefix "" for the default mount).
func newOCIMount(m *mount, publicURL, prefix string) *ociMount {
	om := &ociMount{public: publicURL + "/v2/" + prefix, challenge: `Basic realm="hoard"`}
	if ch, ok := m.format.(formats.Challenger); ok {
		om.challenge = ch.Challenge()
	}
	for _, u := range m.upstreams {
		om.upstreams = append(om.upstreams, u.base)
	}
	return om
}

// ociMount is m's ociMount for names with prefix ("" or the mount's name and a slash).
func (m *mount) ociMount(prefix string) *ociMount {
	if prefix == "" {
		return m.ociBare
	}
	return m.ociNamed
}

// ociPing answers GET /v2/. A client without credentials is challenged, as registries
// that take credentials do: docker and skopeo learn from this answer whether to send
// theirs, and go on anonymously when they have none. With credentials, the answer is
// 200 unless the gate knows the token to be bad (so `docker login` reports it).
func (s *Server) ociPing(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		oci.WriteErrorCode(w, http.StatusMethodNotAllowed, oci.CodeUnsupported, "method not allowed")
		return
	}
	token, has := policy.TokenFrom(r)
	if r.Header.Get("Authorization") == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="hoard"`)
		oci.WriteErrorCode(w, http.StatusUnauthorized, oci.CodeUnauthorized, "authentication required")
		return
	}
	if has && s.gate.mode != "none" && s.gate.validator != nil {
		if v, err := s.gate.validator.Validate(r.Context(), token); err == nil && !v.Known {
			w.Header().Set("WWW-Authenticate", `Basic realm="hoard"`)
			oci.WriteErrorCode(w, http.StatusUnauthorized, oci.CodeUnauthorized, "token is unknown, revoked or expired")
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte("{}"))
}

// ociMount picks the mount for a repository path ("/ghcr/owner/image/...", or
// "/owner/image/..." for the default mount) and returns the public prefix of its
// names ("ghcr/" or "") and the rest of the path as the format reads it, from its
// slash on.
func (s *Server) ociMount(r *http.Request, sub string) (*mount, string, string) {
	rest := sub[1:]
	if first, _, ok := strings.Cut(rest, "/"); ok {
		if m := s.mounts[first]; m != nil && m.format.Name() == ociFormat {
			return m, m.ociPrefix, rest[len(first):]
		}
	}
	if s.ociDefault == nil {
		return nil, "", ""
	}
	// containerd names the registry a mirror stands in for with ?ns=HOST. It picks
	// among the configured OCI mounts only; no other host is ever reached through it.
	if ns := r.URL.Query().Get("ns"); ns != "" {
		for _, m := range s.mounts {
			if m.format.Name() != ociFormat {
				continue
			}
			for _, u := range m.upstreams {
				if u.base.Host == ns {
					return m, "", sub
				}
			}
		}
	}
	return s.ociDefault, "", sub
}

// ociMountNames names the OCI mounts; New keeps the answer in Server.ociNames, as
// containerd sends a query (?ns=) with every request.
func (s *Server) ociMountNames() map[string]bool {
	out := map[string]bool{}
	for name, m := range s.mounts {
		if m.format.Name() == ociFormat {
			out[name] = true
		}
	}
	return out
}

// ociCleanQuery drops ?ns= and turns a cross-repository mount's from= into the name
// at the upstream. A from= in another mount cannot be mounted upstream: mount= and
// from= are dropped, and the upstream answers with a plain upload session, which
// clients then fill.
func ociCleanQuery(r *http.Request, prefix string, ociMounts map[string]bool) {
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
			inMount = !ociMounts[first]
		}
		if !inMount {
			q.Del("from")
			q.Del("mount")
		}
	}
	r.URL.RawQuery = q.Encode()
}

// ociWriter fixes the headers of every /v2/ answer as it goes out: URLs the upstream
// handed out point at Hoard's public URL, a 401 carries Hoard's challenge (never the
// upstream's token realm), and content by digest names its digest.
type ociWriter struct {
	http.ResponseWriter
	*ociMount
	r     *http.Request
	wrote bool
}

// RequestPath lets the format name the right error code for a bare 404.
func (w *ociWriter) RequestPath() string { return w.r.URL.Path }

func (w *ociWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *ociWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.fix(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *ociWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

func (w *ociWriter) fix(code int) {
	h := w.Header()
	if loc := firstHeader(h, "Location"); loc != "" {
		h["Location"] = []string{oci.RewriteURL(loc, w.upstreams, w.public)}
	}
	if links := h["Link"]; len(links) > 0 {
		out := make([]string, len(links))
		for i, l := range links {
			out[i] = oci.RewriteLink(l, w.upstreams, w.public)
		}
		h["Link"] = out
	}
	if code == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", w.challenge)
	}
	if code/100 == 2 && (w.r.Method == http.MethodGet || w.r.Method == http.MethodHead) && firstHeader(h, "Docker-Content-Digest") == "" {
		if d := oci.PathDigest(w.r.URL.EscapedPath()); d != "" {
			h["Docker-Content-Digest"] = []string{d}
		}
	}
}

// firstHeader is h.Get(key) for a key already in canonical form.
func firstHeader(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// ReadFrom keeps sendfile for cached blobs served through an ociWriter.
func (w *ociWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.wrote {
		w.WriteHeader(200)
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(w.ResponseWriter, src)
}
