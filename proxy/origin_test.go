package proxy

// A fake Maven origin: a static repository (GET, HEAD with ETag and Last-Modified,
// conditional requests, PUT) that counts requests per path, and faults that can be
// switched on and off per path.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type origin struct {
	srv *httptest.Server

	mu       sync.Mutex
	files    map[string][]byte
	faults   map[string]http.HandlerFunc // by path; "*" matches every path
	hits     map[string]int
	last     map[string]http.Header // headers of the latest request per path
	total    int
	putAuth  string // when set, PUT needs exactly this Authorization
	modified time.Time
}

func newOrigin(t testing.TB) *origin {
	o := &origin{
		files: map[string][]byte{}, faults: map[string]http.HandlerFunc{},
		hits: map[string]int{}, last: map[string]http.Header{},
		modified: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	o.srv = httptest.NewServer(o)
	t.Cleanup(o.srv.Close)
	return o
}

// add publishes body at p without a checksum file.
func (o *origin) add(p string, body []byte) {
	o.mu.Lock()
	o.files[p] = body
	o.mu.Unlock()
}

// publish adds body at p with its .sha1, as a Maven deploy does.
func (o *origin) publish(p string, body []byte) {
	sum := sha1.Sum(body)
	o.add(p, body)
	o.add(p+".sha1", []byte(hex.EncodeToString(sum[:])))
}

// fault makes requests for p (or "*") go to h; nil switches it off.
func (o *origin) fault(p string, h http.HandlerFunc) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if h == nil {
		delete(o.faults, p)
		return
	}
	o.faults[p] = h
}

func (o *origin) count(p string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hits[p]
}

func (o *origin) totalCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.total
}

func (o *origin) lastHeader(p string) http.Header {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last[p]
}

func etagOf(b []byte) string {
	sum := sha1.Sum(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

func originContentType(p string) string {
	switch {
	case strings.HasSuffix(p, ".jar"):
		return "application/java-archive"
	case strings.HasSuffix(p, ".xml"), strings.HasSuffix(p, ".pom"):
		return "application/xml"
	}
	return "text/plain"
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	o.mu.Lock()
	o.hits[p]++
	o.total++
	o.last[p] = r.Header.Clone()
	h := o.faults[p]
	if h == nil {
		h = o.faults["*"]
	}
	body, ok := o.files[p]
	putAuth, modified := o.putAuth, o.modified
	o.mu.Unlock()
	if h != nil {
		h(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", originContentType(p))
		w.Header().Set("ETag", etagOf(body))
		http.ServeContent(w, r, "", modified, bytes.NewReader(body))
	case http.MethodPut:
		if putAuth != "" && r.Header.Get("Authorization") != putAuth {
			w.Header().Set("WWW-Authenticate", `Basic realm="origin"`)
			http.Error(w, "credentials needed", http.StatusUnauthorized)
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		o.add(p, b)
		w.WriteHeader(http.StatusCreated)
	default:
		http.Error(w, "method", http.StatusMethodNotAllowed)
	}
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// Faults. Each returns a handler for origin.fault.

// rawResponse hijacks the connection, writes a 200 declaring declared bytes, sends
// body, and closes: with reset, by a TCP RST (no FIN) as a crashed peer would.
func rawResponse(declared int, body []byte, reset bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/java-archive\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", declared)
		buf.Write(body)
		buf.Flush()
		if tc, ok := conn.(*net.TCPConn); ok && reset {
			tc.SetLinger(0)
		}
		conn.Close()
	}
}

// serveBytes answers 200 with body and the given content type.
func serveBytes(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	}
}

// status answers code with a short body.
func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Error(w, http.StatusText(code), code) }
}

// stallHeaders sends nothing until the client gives up or the test ends.
func stallHeaders(testDone <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-testDone:
		}
	}
}

// trickle sends headers at once, then body in parts with a pause before each.
func trickle(body []byte, parts int, pause time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/java-archive")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		rc.Flush()
		step := (len(body) + parts - 1) / parts
		for off := 0; off < len(body); off += step {
			time.Sleep(pause)
			w.Write(body[off:min(off+step, len(body))])
			rc.Flush()
		}
	}
}

// holdAfter sends the first n bytes of body, then waits for release (or the client
// to leave) before sending the rest.
func holdAfter(body []byte, n int, release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/java-archive")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body[:n])
		http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Write(body[n:])
	}
}
