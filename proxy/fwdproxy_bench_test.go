package proxy

// The forward proxy's cost on a warm hit: the same cached 1 KB artifact fetched
// directly, through the proxy in plain HTTP (absolute form), and through it by
// CONNECT with TLS, all on keep-alive connections. Run:
// go test -run x -bench ForwardProxy -benchmem ./proxy/

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"hoard/proxy/fwdproxy"
)

func BenchmarkHitForwardProxy(b *testing.B) {
	const size = 1 << 10
	e, direct := warmEnv(b, size)
	originHost := strings.TrimPrefix(e.origin.srv.URL, "http://")
	ca, err := fwdproxy.LoadOrCreateCA(b.TempDir(), []string{"127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	fp := fwdproxy.New(fwdproxy.Options{
		Handler: e.srv, Intercept: e.srv.Intercept, Hosts: e.srv.InterceptHosts(), CA: ca, Log: zerolog.Nop(),
	})
	ps := httptest.NewServer(fp)
	b.Cleanup(func() { ps.Close(); _ = fp.Shutdown(b.Context()) })
	proxyURL, _ := url.Parse(ps.URL)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca.CertPEM())
	viaProxy := &http.Client{Transport: &http.Transport{
		Proxy: http.ProxyURL(proxyURL), MaxIdleConnsPerHost: 256, ReadBufferSize: 64 << 10,
		TLSClientConfig: &tls.Config{RootCAs: roots},
	}}
	b.Cleanup(viaProxy.CloseIdleConnections)

	run := func(b *testing.B, c *http.Client, u string) {
		if err := fetchDiscard(c, u, size); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := fetchDiscard(c, u, size); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.Run("direct", func(b *testing.B) { run(b, direct, e.url(jarPath)) })
	b.Run("proxy-http", func(b *testing.B) { run(b, viaProxy, "http://"+originHost+jarPath) })
	b.Run("proxy-https", func(b *testing.B) { run(b, viaProxy, "https://"+originHost+jarPath) })
}
