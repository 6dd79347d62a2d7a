package proxy

import (
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"hoard/proxy/usage"
)

// Usage is the per-entry and per-package traffic since start, and the recent
// errors, for the admin API and status page.
func (s *Server) Usage() *usage.Counter { return s.metrics.usage }

func newUpstreamBytes(reg *prometheus.Registry) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoard_upstream_bytes_total", Help: "Response body bytes read from upstreams, by mount and format.",
	}, []string{"mount", "format"})
	reg.MustRegister(c)
	return c
}

// used feeds one answered request to the usage counts: hits and bytes per
// package for cacheable reads that succeeded (an error page is no use of the
// package), and server-side failures to the recent errors.
func (m *metrics) used(r *http.Request, ri *reqInfo, cw *countingWriter) {
	if (ri.pkg != "" || ri.key != "") && cw.status < http.StatusBadRequest {
		hit := ri.result == resultHit || ri.result == resultStale || ri.result == resultRevalidated
		m.usage.Served(ri.mount, ri.pkg, ri.key, hit, cw.bytes)
	}
	if cw.status >= http.StatusInternalServerError {
		m.usage.Failed(usage.Error{RequestID: ri.id, Mount: ri.mount, Method: r.Method, Path: r.URL.EscapedPath(), Status: cw.status})
	}
}

// countUpstream makes resp's body add what is read of it to the upstream bytes
// of mount and format.
func (m *metrics) countUpstream(resp *http.Response, mount, format string) {
	if resp == nil || resp.Body == nil || resp.Body == http.NoBody {
		return
	}
	resp.Body = &countedBody{ReadCloser: resp.Body, c: m.upstreamBytes.WithLabelValues(mount, format)}
}

type countedBody struct {
	io.ReadCloser
	c prometheus.Counter
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.c.Add(float64(n))
	}
	return n, err
}
