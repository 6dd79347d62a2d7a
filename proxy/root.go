package proxy

import (
	"io"
	"net/http"
	"strings"

	"hoard/formats"
)

// apiRoot is a fixed path root that a Rooted format's clients address instead of
// /MOUNT/ (OCI's /v2/), with the mounts of that format behind it.
type apiRoot struct {
	name   string // the root's path segment, "v2"
	format formats.Format
	rooted formats.Rooted
	// def serves names that start with no mount's name; nil when not configured.
	def    *mount
	mounts map[string]*mount // the format's mounts, by name
}

// newRoots groups the Rooted formats' mounts by root; def names the default mount.
func newRoots(mounts map[string]*mount, def string) []*apiRoot {
	var roots []*apiRoot
	for _, m := range mounts {
		rf, ok := m.format.(formats.Rooted)
		if !ok {
			continue
		}
		var root *apiRoot
		for _, r := range roots {
			if r.name == rf.APIRoot() {
				root = r
			}
		}
		if root == nil {
			root = &apiRoot{name: rf.APIRoot(), format: m.format, rooted: rf, mounts: map[string]*mount{}}
			roots = append(roots, root)
		}
		root.mounts[m.name] = m
		if m.name == def {
			root.def = m
		}
	}
	return roots
}

// rootOf is the API root named name, or nil.
func (s *Server) rootOf(name string) *apiRoot {
	for _, r := range s.roots {
		if r.name == name {
			return r
		}
	}
	return nil
}

// serveRoot answers a request under an API root: the root itself, and repository
// paths whose first segment names a mount ("/v2/ghcr/owner/image/manifests/1" is
// owner/image at the ghcr mount's upstream); other names go whole to the default
// mount, if one is configured. sub is the escaped path after the root, from its
// slash on.
func (s *Server) serveRoot(w http.ResponseWriter, r *http.Request, root *apiRoot, sub string) {
	root.rooted.RootHeader(w.Header())
	if sub == "/" {
		root.rooted.ServeRoot(w, r, func() bool { return s.refusedAtRoot(r, root) })
		return
	}
	m, prefix, sub := root.pick(r, sub)
	if m == nil {
		root.format.WriteError(w, r, http.StatusNotFound, formats.ErrNoMount)
		return
	}
	ri := infoOf(r)
	ri.mount, ri.format = m.name, m.format.Name()
	root.rooted.CleanQuery(r, prefix, root.isMount)
	fix := m.fixBare
	if prefix != "" {
		fix = m.fixNamed
	}
	s.serveMount(fixed(w, r, fix), r, m, sub)
}

func (root *apiRoot) isMount(first string) bool { return root.mounts[first] != nil }

// pick finds the mount for a repository path ("/ghcr/owner/image/...", or
// "/owner/image/..." for the default mount) and returns the public prefix of its
// names ("ghcr/" or "") and the rest of the path as the format reads it, from its
// slash on.
func (root *apiRoot) pick(r *http.Request, sub string) (*mount, string, string) {
	rest := sub[1:]
	if first, _, ok := strings.Cut(rest, "/"); ok {
		if m := root.mounts[first]; m != nil {
			return m, m.name + "/", rest[len(first):]
		}
	}
	if root.def == nil {
		return nil, "", ""
	}
	// A client may name the registry the server stands in for; that picks among
	// the configured mounts only, and no other host is ever reached through it.
	if host := root.rooted.MirrorHost(r); host != "" {
		for _, m := range root.mounts {
			for _, u := range m.upstreams {
				if u.Base.Host == host {
					return m, "", sub
				}
			}
		}
	}
	return root.def, "", sub
}

// fixed wraps w so that fix sees the headers of the answer before they go out; w
// itself when the format fixes nothing.
func fixed(w http.ResponseWriter, r *http.Request, fix formats.HeaderFixer) http.ResponseWriter {
	if fix == nil {
		return w
	}
	return &fixingWriter{ResponseWriter: w, fix: fix, r: r}
}

// fixingWriter hands the headers of an answer to the format's HeaderFixer as the
// status line is written.
type fixingWriter struct {
	http.ResponseWriter
	fix   formats.HeaderFixer
	r     *http.Request
	wrote bool
}

func (w *fixingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *fixingWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.fix.FixHeader(w.r, code, w.Header())
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *fixingWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps sendfile for cached blobs served through a fixingWriter.
func (w *fixingWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(w.ResponseWriter, src)
}
