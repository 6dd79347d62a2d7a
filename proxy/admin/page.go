package admin

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// pageFiles are the status page: one HTML file, its script and its style sheet,
// built into the binary so the page needs nothing from outside the admin listener.
//
//go:embed page
var pageFiles embed.FS

var pageFS, _ = fs.Sub(pageFiles, "page")

// pagePolicy keeps the page to its own files: anything else it tried to load
// would be refused by the browser, and the browser test would see the refusal.
const pagePolicy = "default-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

// isPageAsset reports whether r asks for the status page or one of its files.
func isPageAsset(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/page/")
}

// servePage serves the page's files. They hold no data, so they need no token:
// the page reads the figures from the API, sending the token the operator gives it.
func servePage(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/page/")
	if r.URL.Path == "/" {
		name = "index.html"
	}
	b, err := fs.ReadFile(pageFS, name)
	if err != nil || strings.Contains(name, "/") {
		writeError(w, http.StatusNotFound, "no such page file")
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", pagePolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	switch {
	case strings.HasSuffix(name, ".html"):
		h.Set("Content-Type", "text/html; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		h.Set("Content-Type", "text/javascript; charset=utf-8")
	case strings.HasSuffix(name, ".css"):
		h.Set("Content-Type", "text/css; charset=utf-8")
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(b)
}
