package fwdproxy

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/proxy/upstream"
)

// fakeHoard stands in for the mount handlers: it answers every request with what
// it was asked, and Intercept fronts one host.
type fakeHoard struct {
	fronted string // host:port
	seen    chan *http.Request
}

func (f *fakeHoard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case f.seen <- r:
	default:
	}
	fmt.Fprintf(w, "hoard %s %s", r.Method, r.URL.Path)
}

func (f *fakeHoard) intercept(r *http.Request, u *url.URL) (*http.Request, bool) {
	return r, upstream.HostPort(u.Scheme, u.Host) == f.fronted && strings.HasPrefix(u.Path, "/pkgs/")
}

type rig struct {
	proxyURL *url.URL
	ca       *CA
	hoard    *fakeHoard
	proxy    *Proxy
}

func newRig(t *testing.T, tweak func(*Options)) *rig {
	t.Helper()
	ca, err := LoadOrCreateCA(t.TempDir(), []string{"registry.test"})
	if err != nil {
		t.Fatal(err)
	}
	h := &fakeHoard{fronted: "registry.test:443", seen: make(chan *http.Request, 16)}
	o := Options{
		Handler: h, Intercept: h.intercept, Hosts: []string{"registry.test:443"}, Self: []string{"hoard.test:80"},
		CA: ca, MaxTunnels: 2000, IdleTimeout: time.Minute, Log: zerolog.Nop(),
	}
	if tweak != nil {
		tweak(&o)
	}
	p := New(o)
	srv := httptest.NewServer(p)
	t.Cleanup(func() { srv.Close(); _ = p.Shutdown(t.Context()) })
	u, _ := url.Parse(srv.URL)
	return &rig{proxyURL: u, ca: ca, hoard: h, proxy: p}
}

// client goes through the proxy and trusts roots only.
func (r *rig) client(roots *x509.CertPool) *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyURL(r.proxyURL),
		TLSClientConfig: &tls.Config{RootCAs: roots},
	}}
}

func (r *rig) caPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(r.ca.CertPEM())
	return pool
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	return body(t, resp, err)
}

func body(t *testing.T, resp *http.Response, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}

func TestInterceptedHTTPSReachesTheMounts(t *testing.T) {
	r := newRig(t, nil)
	got := get(t, r.client(r.caPool()), "https://registry.test/pkgs/a/b")
	if got != "200 hoard GET /pkgs/a/b" {
		t.Fatalf("intercepted request answered %q", got)
	}
	// The name the proxy never resolves is only ever answered by Hoard.
	if got := get(t, r.client(r.caPool()), "http://hoard.test/-/x"); got != "200 hoard GET /-/x" {
		t.Fatalf("Hoard's own host through the proxy answered %q", got)
	}
}

func TestOtherHostsAreTunnelledUndecrypted(t *testing.T) {
	r := newRig(t, nil)
	origin := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		fmt.Fprintf(w, "origin auth=%q", req.Header.Get("Proxy-Authorization"))
	}))
	defer origin.Close()
	// Trusting only the origin's own certificate: the request succeeds only if the
	// proxy passed the TLS session through untouched.
	roots := x509.NewCertPool()
	roots.AddCert(origin.Certificate())
	if got := get(t, r.client(roots), origin.URL+"/x"); got != `200 origin auth=""` {
		t.Fatalf("tunnelled request answered %q", got)
	}
	// And trusting only Hoard's CA, it fails: Hoard did not sign for that host.
	if _, err := r.client(r.caPool()).Get(origin.URL + "/x"); err == nil {
		t.Fatal("a client trusting only Hoard's CA reached a tunnelled host: the tunnel was decrypted")
	}
}

func TestUpstreamWithABadCertificateIsRefused(t *testing.T) {
	r := newRig(t, nil)
	bad := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { io.WriteString(w, "bad") }))
	defer bad.Close()
	// Plain HTTP to the proxy, which must then speak TLS itself: it verifies.
	u, _ := url.Parse(bad.URL)
	req, _ := http.NewRequest(http.MethodGet, "https://"+u.Host+"/x", nil)
	resp, err := r.proxy.gp.Tr.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("the proxy's transport accepted a certificate no root signed")
	}
}

func TestAllowListRefusesOtherHosts(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Allow = []string{"allowed.test"} })
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { io.WriteString(w, "origin") }))
	defer origin.Close()
	resp, err := r.client(nil).Get(origin.URL + "/x")
	if got := body(t, resp, err); !strings.HasPrefix(got, "403 ") {
		t.Fatalf("a host outside forward_proxy.allow answered %q", got)
	}
	// Intercepted hosts are served whatever the allow list says.
	if got := get(t, r.client(r.caPool()), "https://registry.test/pkgs/a"); got != "200 hoard GET /pkgs/a" {
		t.Fatalf("intercepted request answered %q", got)
	}
}

func TestProxyAuthorization(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Auth = "ci:s3cret" })
	resp, err := r.client(r.caPool()).Get("http://hoard.test/x")
	if got := body(t, resp, err); !strings.HasPrefix(got, "407 ") {
		t.Fatalf("no Proxy-Authorization answered %q", got)
	}
	withCred := *r.proxyURL
	withCred.User = url.UserPassword("ci", "s3cret")
	c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(&withCred), TLSClientConfig: &tls.Config{RootCAs: r.caPool()}}}
	if got := get(t, c, "https://registry.test/pkgs/a"); got != "200 hoard GET /pkgs/a" {
		t.Fatalf("with Proxy-Authorization: %q", got)
	}
	if got := get(t, c, "http://hoard.test/x"); got != "200 hoard GET /x" {
		t.Fatalf("with Proxy-Authorization: %q", got)
	}
	seen := <-r.hoard.seen
	for len(r.hoard.seen) > 0 {
		seen = <-r.hoard.seen
	}
	if seen.Header.Get("Proxy-Authorization") != "" {
		t.Fatal("Proxy-Authorization reached the handler")
	}
	bad := *r.proxyURL
	bad.User = url.UserPassword("ci", "wrong")
	c = &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(&bad)}}
	resp, err = c.Get("http://hoard.test/x")
	if got := body(t, resp, err); !strings.HasPrefix(got, "407 ") {
		t.Fatalf("a wrong password answered %q", got)
	}
}

func TestOriginFormRequestsAreRefused(t *testing.T) {
	r := newRig(t, nil)
	resp, err := http.Get(r.proxyURL.String() + "/x")
	if got := body(t, resp, err); !strings.HasPrefix(got, "400 ") {
		t.Fatalf("an origin-form request answered %q", got)
	}
}

func TestTunnelBound(t *testing.T) {
	r := newRig(t, func(o *Options) { o.MaxTunnels = 1 })
	held := connect(t, r.proxyURL.Host, "registry.test:443")
	defer held.Close()
	if status, _ := bufio.NewReader(held).ReadString('\n'); !strings.Contains(status, "200") {
		t.Fatalf("the first CONNECT answered %q", status)
	}
	second := connect(t, r.proxyURL.Host, "registry.test:443")
	defer second.Close()
	status, _ := bufio.NewReader(second).ReadString('\n')
	if !strings.Contains(status, "503") {
		t.Fatalf("a CONNECT past max_tunnels answered %q", status)
	}
}

// connect opens a connection to the proxy and sends a CONNECT for target.
func connect(t *testing.T, proxyAddr, target string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target)
	return c
}

func TestProxyAuthorizationHeaderShape(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Auth = "u:p" })
	req := httptest.NewRequest(http.MethodGet, "http://hoard.test/x", nil)
	req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("u:p")))
	if !r.proxy.authorized(req) {
		t.Fatal("a correct Basic credential was refused")
	}
	req.Header.Set("Proxy-Authorization", "Bearer u:p")
	if r.proxy.authorized(req) {
		t.Fatal("a Bearer credential was taken for Basic")
	}
}

// Some clients (npm for http:// URLs behind an https proxy) open a CONNECT and
// speak plain HTTP through it.
func TestPlainHTTPThroughAConnectTunnel(t *testing.T) {
	r := newRig(t, nil)
	c := established(t, r.proxyURL.Host, "hoard.test:80")
	defer c.Close()
	fmt.Fprintf(c, "GET /npm/x HTTP/1.1\r\nHost: hoard.test\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if got := body(t, resp, err); got != "200 hoard GET /npm/x" {
		t.Fatalf("plain HTTP through a tunnel answered %q", got)
	}
}
