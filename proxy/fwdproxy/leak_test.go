package fwdproxy

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A client that opens a tunnel or an intercepted connection and then goes quiet
// without closing must not hold the proxy's goroutines: after the idle timeout
// the count is back to where it started, with the clients' sockets still open.
func TestAbandonedConnectionsLeaveNoGoroutines(t *testing.T) {
	const conns = 1000
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "origin") }))
	defer origin.Close()
	r := newRig(t, func(o *Options) { o.IdleTimeout, o.HandshakeTimeout = time.Second, 2*time.Second })
	target := strings.TrimPrefix(origin.URL, "http://")
	baseline := settle(0)

	var open []net.Conn
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	for i := range conns {
		switch i % 4 {
		case 0: // a tunnel, never used
			open = append(open, established(t, r.proxyURL.Host, target))
		case 1: // a tunnel with one request, then silence
			c := established(t, r.proxyURL.Host, target)
			fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", target)
			open = append(open, c)
		case 2: // an intercepted connection whose TLS handshake never comes
			open = append(open, established(t, r.proxyURL.Host, "registry.test:443"))
		case 3: // an intercepted connection left idle after one request
			open = append(open, interceptedOnce(t, r))
		}
	}
	after := settle(baseline)
	if after > baseline+10 {
		t.Fatalf("%d goroutines after %d abandoned connections went idle, %d before", after, conns, baseline)
	}
}

// established sends a CONNECT and reads its 200.
func established(t *testing.T, proxyAddr, target string) net.Conn {
	t.Helper()
	c := connect(t, proxyAddr, target)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT %s: %v %v", target, resp, err)
	}
	return c
}

// interceptedOnce makes one request on an intercepted connection and keeps it.
func interceptedOnce(t *testing.T, r *rig) net.Conn {
	t.Helper()
	raw := established(t, r.proxyURL.Host, "registry.test:443")
	tc := tls.Client(raw, &tls.Config{ServerName: "registry.test", RootCAs: r.caPool()})
	fmt.Fprintf(tc, "GET /pkgs/x HTTP/1.1\r\nHost: registry.test\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(tc), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return tc
}

// settle waits until the goroutine count stops falling (or reaches target), and
// returns it.
func settle(target int) int {
	deadline := time.Now().Add(20 * time.Second)
	n := runtime.NumGoroutine()
	for time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		m := runtime.NumGoroutine()
		if (target > 0 && m <= target) || (target == 0 && m == n) {
			return m
		}
		n = m
	}
	return n
}
