// Command gostatic serves a directory's small files from memory with nothing but
// Go's net/http: the benchmark's anchor for what Go's HTTP server itself costs per
// request, measured next to nginx serving the same files. Hoard cannot cost less
// than this, so the gap between the two is what Hoard's own code adds.
//
// A file is read on its first request and kept; files over -max-size are not
// served (404), as the anchor is for small content only.
package main

import (
	"flag"
	"log"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"hoard/bench/internal/daemon"
)

// file is one cached answer: its header values are built once and shared, as
// net/http copies headers before writing them and never changes them.
type file struct {
	body          []byte
	contentType   []string
	contentLength []string
}

type server struct {
	root    string
	maxSize int64
	files   sync.Map // clean path -> *file
}

func (s *server) load(p string) (*file, bool) {
	if f, ok := s.files.Load(p); ok {
		return f.(*file), true
	}
	full := filepath.Join(s.root, filepath.FromSlash(p))
	info, err := os.Stat(full)
	if err != nil || !info.Mode().IsRegular() || info.Size() > s.maxSize {
		return nil, false
	}
	body, err := os.ReadFile(full)
	if err != nil {
		return nil, false
	}
	ct := mime.TypeByExtension(path.Ext(p))
	if ct == "" {
		ct = "application/octet-stream"
	}
	f := &file{body: body, contentType: []string{ct}, contentLength: []string{strconv.Itoa(len(body))}}
	actual, _ := s.files.LoadOrStore(p, f)
	return actual.(*file), true
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean(r.URL.Path)
	if !strings.HasPrefix(p, "/") || strings.Contains(p, "..") {
		http.NotFound(w, r)
		return
	}
	f, ok := s.load(p)
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h["Content-Type"] = f.contentType
	h["Content-Length"] = f.contentLength
	w.Write(f.body) // net/http drops the body of a HEAD
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8082", "address to listen on")
	root := flag.String("root", "", "directory to serve (required)")
	maxSize := flag.Int64("max-size", 1<<20, "largest file served, bytes")
	flag.Parse()
	if *root == "" {
		flag.Usage()
		os.Exit(2)
	}
	srv := &http.Server{Addr: *listen, Handler: &server{root: *root, maxSize: *maxSize}, ReadHeaderTimeout: 10 * time.Second}
	if err := daemon.Serve(srv); err != nil {
		log.Fatal(err)
	}
}
