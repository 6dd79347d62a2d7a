package proxy

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawRequest sends a request line exactly as given (Go's client would clean or
// re-escape the path) and returns the response status.
func rawRequest(t *testing.T, addr, method, target string) int {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", method, target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %q: %v", method, target, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Every spelling of path traversal or ambiguity is refused with 400 before anything
// reaches the upstream or the cache.
func TestTraversalIsRefusedBeforeTheUpstream(t *testing.T) {
	o := newOrigin(t)
	o.publish(jarPath, randomBytes(t, 1024))
	e := newEnv(t, o)
	addr := strings.TrimPrefix(e.hoard.URL, "http://")

	targets := []string{
		"/maven/com/example/../../../etc/passwd",
		"/maven/com/example/lib/1.0/../../../../secret.jar",
		"/maven/com/example/%2e%2e/%2e%2e/etc/passwd",
		"/maven/com/example/%2E%2E/lib/1.0/lib-1.0.jar",
		"/maven/com/example/.%2e/lib/1.0/lib-1.0.jar",
		"/maven/com/example/%252e%252e/lib/1.0/lib-1.0.jar",
		"/maven/com/example/..;/lib/1.0/lib-1.0.jar",
		"/maven/com/example/lib;x=1/1.0/lib-1.0.jar",
		`/maven/com\..\..\etc\passwd`,
		"/maven/com/example/%5c..%5c/lib-1.0.jar",
		"/maven//etc/passwd",
		"/maven/com//example/lib/1.0/lib-1.0.jar",
		"/maven/com/example/lib/1.0/lib-1.0.jar%00.html",
		"/maven/com%2fexample%2flib/1.0/lib-1.0.jar",
		"/maven/com/example/./lib/1.0/lib-1.0.jar",
		"/maven/com/example/lib/1.0/%2e",
	}
	for _, target := range targets {
		for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
			if got := rawRequest(t, addr, method, target); got != http.StatusBadRequest {
				t.Errorf("%s %s: status %d, want 400", method, target, got)
			}
		}
	}
	if got := o.totalCount(); got != 0 {
		t.Errorf("upstream got %d requests for refused paths", got)
	}
	if st := e.store.Stats(); st.Entries != 0 {
		t.Errorf("cache holds %d entries after refused requests", st.Entries)
	}
}

// A doubled slash before the mount name is not a mount path; whatever the answer, it
// must not reach the upstream or serve content.
func TestLeadingDoubleSlashDoesNotReachUpstream(t *testing.T) {
	o := newOrigin(t)
	o.publish(jarPath, randomBytes(t, 1024))
	e := newEnv(t, o)
	addr := strings.TrimPrefix(e.hoard.URL, "http://")
	for _, target := range []string{"//maven" + jarPath, "//maven/../maven" + jarPath} {
		if got := rawRequest(t, addr, http.MethodGet, target); got == http.StatusOK {
			t.Errorf("GET %s: 200", target)
		}
	}
	if got := o.totalCount(); got != 0 {
		t.Errorf("upstream got %d requests", got)
	}
}
