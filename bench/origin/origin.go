// Package origin is a static upstream registry for tests and benchmarks: it serves a
// directory tree over HTTP the way a plain file server in front of a repository
// would (ETag, Last-Modified, 304s, Range), accepts PUTs into a separate write
// directory, and can be slowed down to exercise timeouts and interrupted fills.
// It counts every request so tests can assert what reached the upstream.
package origin

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Options configures an Origin. The zero value of every field but Root means "off".
type Options struct {
	// Root is the tree served to GET and HEAD. Symlinks inside it are followed:
	// it is trusted test data (Debian's /usr/share/maven-repo is mostly symlinks
	// into /usr/share/java), while request paths are checked so they cannot leave it.
	Root string
	// WriteDir receives PUTs and overlays Root for reads, so a published file is
	// served back. Empty: PUT is refused with 405.
	WriteDir string
	// Latency is slept before answering each request.
	Latency time.Duration
	// RequireAuth is "user:pass"; when set, PUT needs these Basic credentials.
	RequireAuth string
	// ReadAuth makes GET and HEAD need the RequireAuth credentials too.
	ReadAuth bool
	// BytesPerSecond caps the rate of each GET response body; 0 is unlimited.
	BytesPerSecond int64
	// DirIndex names a file served for a request naming a directory that holds
	// one: an npm document's path (/npm/NAME) is also the parent of its tarballs
	// (/npm/NAME/-/FILE.tgz), so a tree keeps the document inside that directory.
	// A dot-file name keeps it from being served at a URL of its own.
	DirIndex string
	// FullSpeed lists URL path prefixes whose bodies are never paced, so one
	// origin serves both a slow upstream and one at line rate (a registry behind
	// a CDN) under the same latency.
	FullSpeed []string
	// Checksums answers GET X.sha1 (.md5, .sha256, .sha512) with X's digest when no
	// such file exists, as Maven repositories publish them. Debian's tree ships none,
	// and without them Maven cannot verify what a proxy hands it.
	Checksums bool
}

// Origin is an http.Handler; see the package comment.
type Origin struct {
	opts  Options
	total atomic.Int64
	mu    sync.Mutex
	paths map[string]int64
}

// New returns an Origin serving opts.Root.
func New(opts Options) *Origin {
	return &Origin{opts: opts, paths: make(map[string]int64)}
}

// Requests is the number of requests received since New or Reset, whatever their outcome.
func (o *Origin) Requests() int64 { return o.total.Load() }

// RequestsFor is the number of requests for one URL path (e.g. "/junit/junit/4.13.2/junit-4.13.2.pom").
func (o *Origin) RequestsFor(urlPath string) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.paths[urlPath]
}

// Paths returns a copy of the per-path request counts, for assertions and failure messages.
func (o *Origin) Paths() map[string]int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := make(map[string]int64, len(o.paths))
	for k, v := range o.paths {
		m[k] = v
	}
	return m
}

// Reset zeroes all counters.
func (o *Origin) Reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.total.Store(0)
	clear(o.paths)
}

func (o *Origin) count(urlPath string) {
	o.total.Add(1)
	o.mu.Lock()
	o.paths[urlPath]++
	o.mu.Unlock()
}

// ServeHTTP implements http.Handler.
func (o *Origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.count(r.URL.Path)
	if o.opts.Latency > 0 {
		t := time.NewTimer(o.opts.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	rel, ok := cleanPath(r.URL.Path)
	if !ok {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if o.opts.ReadAuth && !o.authorized(w, r) {
			return
		}
		o.serveFile(w, r, rel)
	case http.MethodPut:
		if o.opts.WriteDir == "" {
			http.Error(w, "read-only origin", http.StatusMethodNotAllowed)
			return
		}
		if !o.authorized(w, r) {
			return
		}
		o.put(w, r, rel)
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// authorized checks Basic credentials against RequireAuth and, when they are wrong
// or missing, answers the 401 challenge that makes Maven and NuGet send them.
func (o *Origin) authorized(w http.ResponseWriter, r *http.Request) bool {
	if o.opts.RequireAuth == "" {
		return true
	}
	user, pass, ok := r.BasicAuth()
	if ok && subtle.ConstantTimeCompare([]byte(user+":"+pass), []byte(o.opts.RequireAuth)) == 1 {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="origin"`)
	http.Error(w, "unauthorized", http.StatusUnauthorized)
	return false
}

// cleanPath turns a URL path into a slash-separated path relative to the roots, or
// reports false when it could leave them or names something we never serve: "..",
// empty or "." segments (so "a//b" and "dir/" are refused rather than normalised,
// which keeps one file at one URL), backslashes, NULs, and dot-files, which is where
// PUT keeps its temporary files.
func cleanPath(p string) (string, bool) {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return "", false
	}
	rel := p[1:]
	if rel == "" || path.Clean(rel) != rel {
		return "", false
	}
	for seg := range strings.SplitSeq(rel, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	return rel, true
}

func (o *Origin) serveFile(w http.ResponseWriter, r *http.Request, rel string) {
	f, fi, err := o.open(rel)
	if errors.Is(err, fs.ErrNotExist) && o.opts.Checksums && o.serveChecksum(w, r, rel) {
		return
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			http.NotFound(w, r)
			return
		}
		http.Error(w, "read error", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	// A strong validator from size and mtime, as nginx makes it; ServeContent uses it
	// for If-None-Match, If-Range and If-Match.
	w.Header().Set("ETag", etag(fi))
	var body io.ReadSeeker = f
	if o.opts.BytesPerSecond > 0 && r.Method == http.MethodGet && !o.fullSpeed(r.URL.Path) {
		body = newThrottled(r.Context(), f, o.opts.BytesPerSecond)
	}
	http.ServeContent(w, r, path.Base(rel), fi.ModTime(), body)
}

func (o *Origin) fullSpeed(urlPath string) bool {
	for _, p := range o.opts.FullSpeed {
		if strings.HasPrefix(urlPath, p) {
			return true
		}
	}
	return false
}

// open finds rel in WriteDir first, then in Root. Directories count as missing: the
// origin has no listings.
func (o *Origin) open(rel string) (*os.File, fs.FileInfo, error) {
	for _, dir := range []string{o.opts.WriteDir, o.opts.Root} {
		if dir == "" {
			continue
		}
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		if fi.IsDir() && o.opts.DirIndex != "" {
			f.Close()
			if f, fi, err = openRegular(filepath.Join(dir, filepath.FromSlash(rel), o.opts.DirIndex)); err == nil {
				return f, fi, nil
			}
			continue
		}
		if !fi.Mode().IsRegular() {
			f.Close()
			continue
		}
		return f, fi, nil
	}
	return nil, nil, fs.ErrNotExist
}

// openRegular opens name when it is a regular file.
func openRegular(name string) (*os.File, fs.FileInfo, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

func etag(fi fs.FileInfo) string {
	return fmt.Sprintf(`"%x-%x"`, fi.ModTime().UnixNano(), fi.Size())
}
