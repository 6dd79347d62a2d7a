package origin

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tree makes a Root with a file, a nested directory and a symlink out of the tree.
func tree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	outside := t.TempDir()
	write(t, filepath.Join(root, "g/a/1.0/a-1.0.pom"), "<project/>")
	write(t, filepath.Join(root, "g/a/1.0/a-1.0.jar"), "0123456789")
	write(t, filepath.Join(outside, "shared.jar"), "shared bytes")
	if err := os.Symlink(filepath.Join(outside, "shared.jar"), filepath.Join(root, "g/a/1.0/linked.jar")); err != nil {
		t.Fatal(err)
	}
	return root
}

func write(t *testing.T, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func do(t *testing.T, h http.Handler, method, path string, body io.Reader, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "http://origin/", body)
	r.URL.Path = path // set raw, so tests can send what a client's URL cleaning would hide
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestGet(t *testing.T) {
	o := New(Options{Root: tree(t)})
	tests := []struct {
		name, method, path string
		hdr                []string
		code               int
		body               string
	}{
		{"file", "GET", "/g/a/1.0/a-1.0.jar", nil, 200, "0123456789"},
		{"head", "HEAD", "/g/a/1.0/a-1.0.jar", nil, 200, ""},
		{"range", "GET", "/g/a/1.0/a-1.0.jar", []string{"Range", "bytes=2-5"}, 206, "2345"},
		{"symlink in tree is followed", "GET", "/g/a/1.0/linked.jar", nil, 200, "shared bytes"},
		{"missing", "GET", "/g/a/1.0/nope.jar", nil, 404, ""},
		{"file as directory", "GET", "/g/a/1.0/a-1.0.jar/x", nil, 404, ""},
		{"directory", "GET", "/g/a/1.0", nil, 404, ""},
		{"directory slash", "GET", "/g/a/1.0/", nil, 400, ""},
		{"root", "GET", "/", nil, 400, ""},
		{"dotdot", "GET", "/g/../../etc/passwd", nil, 400, ""},
		{"double slash", "GET", "/g//a/1.0/a-1.0.jar", nil, 400, ""},
		{"dot file", "GET", "/g/a/1.0/.put-123", nil, 400, ""},
		{"backslash", "GET", `/g\a`, nil, 400, ""},
		{"delete", "DELETE", "/g/a/1.0/a-1.0.jar", nil, 405, ""},
		{"put read-only", "PUT", "/g/a/1.0/a-1.0.jar", nil, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, o, tt.method, tt.path, nil, tt.hdr...)
			if w.Code != tt.code {
				t.Fatalf("code %d, want %d; body %q", w.Code, tt.code, w.Body)
			}
			if tt.body != "" && w.Body.String() != tt.body {
				t.Fatalf("body %q, want %q", w.Body, tt.body)
			}
		})
	}
}

func TestValidators(t *testing.T) {
	o := New(Options{Root: tree(t)})
	w := do(t, o, "GET", "/g/a/1.0/a-1.0.jar", nil)
	etag, lm := w.Header().Get("ETag"), w.Header().Get("Last-Modified")
	if etag == "" || lm == "" || w.Header().Get("Content-Length") != "10" {
		t.Fatalf("headers %v", w.Header())
	}
	if w := do(t, o, "GET", "/g/a/1.0/a-1.0.jar", nil, "If-None-Match", etag); w.Code != 304 {
		t.Errorf("If-None-Match: %d, want 304", w.Code)
	}
	if w := do(t, o, "GET", "/g/a/1.0/a-1.0.jar", nil, "If-Modified-Since", lm); w.Code != 304 {
		t.Errorf("If-Modified-Since: %d, want 304", w.Code)
	}
	if w := do(t, o, "GET", "/g/a/1.0/a-1.0.jar", nil, "If-None-Match", `"other"`); w.Code != 200 {
		t.Errorf("stale If-None-Match: %d, want 200", w.Code)
	}
}

func TestPut(t *testing.T) {
	root, wdir := tree(t), t.TempDir()
	o := New(Options{Root: root, WriteDir: wdir, RequireAuth: "u:p"})
	const path = "/g/a/1.0/a-1.0.jar" // exists in Root: the written one must win

	w := do(t, o, "PUT", path, strings.NewReader("new"))
	if w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Basic realm="origin"` {
		t.Fatalf("anonymous PUT: %d %v", w.Code, w.Header())
	}
	if w := do(t, o, "PUT", path, strings.NewReader("new"), "Authorization", basic("u", "wrong")); w.Code != 401 {
		t.Fatalf("wrong password: %d", w.Code)
	}
	if w := do(t, o, "PUT", path, strings.NewReader("new"), "Authorization", basic("u", "p")); w.Code != 201 {
		t.Fatalf("PUT: %d %s", w.Code, w.Body)
	}
	if w := do(t, o, "GET", path, nil); w.Body.String() != "new" {
		t.Fatalf("GET after PUT: %q", w.Body)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "g/a/1.0/a-1.0.jar")); string(b) != "0123456789" {
		t.Fatalf("Root was modified: %q", b)
	}
	ents, _ := os.ReadDir(filepath.Join(wdir, "g/a/1.0"))
	if len(ents) != 1 {
		t.Fatalf("write dir holds %d entries, want only the file (no temp files)", len(ents))
	}
	if w := do(t, o, "PUT", "/g/../../escape", strings.NewReader("x"), "Authorization", basic("u", "p")); w.Code != 400 {
		t.Fatalf("escaping PUT: %d", w.Code)
	}
	if w := do(t, o, "GET", "/g/a/1.0/a-1.0.pom", nil); w.Code != 200 {
		t.Fatalf("reads stay open without ReadAuth: %d", w.Code)
	}
}

func TestReadAuth(t *testing.T) {
	o := New(Options{Root: tree(t), RequireAuth: "u:p", ReadAuth: true})
	if w := do(t, o, "GET", "/g/a/1.0/a-1.0.pom", nil); w.Code != 401 || w.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("anonymous GET: %d", w.Code)
	}
	if w := do(t, o, "GET", "/g/a/1.0/a-1.0.pom", nil, "Authorization", basic("u", "p")); w.Code != 200 {
		t.Fatalf("GET with credentials: %d", w.Code)
	}
}

func TestCounters(t *testing.T) {
	o := New(Options{Root: tree(t)})
	do(t, o, "GET", "/g/a/1.0/a-1.0.pom", nil)
	do(t, o, "GET", "/g/a/1.0/a-1.0.pom", nil)
	do(t, o, "GET", "/missing", nil)
	if o.Requests() != 3 || o.RequestsFor("/g/a/1.0/a-1.0.pom") != 2 || o.RequestsFor("/missing") != 1 {
		t.Fatalf("counts: total %d, paths %v", o.Requests(), o.Paths())
	}
	o.Reset()
	if o.Requests() != 0 || o.RequestsFor("/g/a/1.0/a-1.0.pom") != 0 {
		t.Fatalf("after Reset: total %d, paths %v", o.Requests(), o.Paths())
	}
}

// Lower bounds only: a slow machine makes these slower, never faster.
func TestLatencyAndRate(t *testing.T) {
	root := t.TempDir()
	big := bytes.Repeat([]byte("x"), 64<<10)
	write(t, filepath.Join(root, "big"), string(big))

	o := New(Options{Root: root, Latency: 100 * time.Millisecond})
	start := time.Now()
	do(t, o, "GET", "/big", nil)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("latency: answered after %v", d)
	}

	o = New(Options{Root: root, BytesPerSecond: 256 << 10})
	start = time.Now()
	w := do(t, o, "GET", "/big", nil)
	if d := time.Since(start); d < 240*time.Millisecond {
		t.Errorf("64 KiB at 256 KiB/s took %v", d)
	}
	if !bytes.Equal(w.Body.Bytes(), big) {
		t.Errorf("throttled body differs")
	}
}

// A directory with a DirIndex file is served as that file (a document whose path
// is also the parent of its files); without one it is still missing.
func TestDirIndex(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "npm/pkg/.document"), `{"name":"pkg"}`)
	write(t, filepath.Join(root, "npm/pkg/-/pkg-1.0.0.tgz"), "tgz")
	os.MkdirAll(filepath.Join(root, "npm/empty"), 0o755)
	o := New(Options{Root: root, DirIndex: ".document"})
	for _, c := range []struct {
		path string
		code int
		body string
	}{
		{"/npm/pkg", 200, `{"name":"pkg"}`},
		{"/npm/pkg/-/pkg-1.0.0.tgz", 200, "tgz"},
		{"/npm/pkg/.document", 400, ""},
		{"/npm/empty", 404, ""},
	} {
		w := do(t, o, "GET", c.path, nil)
		if w.Code != c.code || (c.body != "" && w.Body.String() != c.body) {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, w.Code, w.Body.String(), c.code, c.body)
		}
	}
	if w := do(t, New(Options{Root: root}), "GET", "/npm/pkg", nil); w.Code != 404 {
		t.Errorf("without DirIndex a directory answered %d", w.Code)
	}
}

// A path under a FullSpeed prefix is not paced, whatever the rate; the others are.
func TestFullSpeedPrefix(t *testing.T) {
	root := t.TempDir()
	big := strings.Repeat("x", 64<<10)
	write(t, filepath.Join(root, "fast/big"), big)
	write(t, filepath.Join(root, "slow/big"), big)
	o := New(Options{Root: root, BytesPerSecond: 64 << 10, FullSpeed: []string{"/fast/"}})
	start := time.Now()
	if w := do(t, o, "GET", "/fast/big", nil); w.Body.String() != big {
		t.Fatal("full-speed body differs")
	}
	if d := time.Since(start); d >= 900*time.Millisecond {
		t.Errorf("64 KiB under a full-speed prefix took %v: it was paced", d)
	}
	start = time.Now()
	do(t, o, "GET", "/slow/big", nil)
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("64 KiB at 64 KiB/s outside the prefix took %v: it was not paced", d)
	}
}

func TestThrottledStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	tr := newThrottled(ctx, bytes.NewReader(make([]byte, 1<<20)), 1) // a byte a second
	cancel()
	_, err := io.ReadAll(tr)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

func TestOverHTTP(t *testing.T) {
	o := New(Options{Root: tree(t)})
	srv := httptest.NewServer(o)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/g/a/1.0/a-1.0.pom")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "<project/>" {
		t.Fatalf("%d %q", resp.StatusCode, b)
	}
}

func basic(user, pass string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}
