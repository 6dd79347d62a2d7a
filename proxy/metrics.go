package proxy

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"hoard/cache"
	"hoard/proxy/upstream"
	"hoard/proxy/usage"
)

// metrics are one server's Prometheus collectors, on a registry of its own (no
// package-level state, so tests can run many servers in one process).
type metrics struct {
	registry         *prometheus.Registry
	requests         *prometheus.CounterVec
	bytesServed      *prometheus.CounterVec
	upstreamRequests *prometheus.CounterVec
	upstreamLatency  *prometheus.HistogramVec
	waiters          *prometheus.CounterVec
	corrupt          *prometheus.CounterVec
	servedBy         sync.Map // servedKey -> *servedCounters
	policy           *prometheus.CounterVec
	usage            *usage.Counter // see usage.go
	upstreamBytes    *prometheus.CounterVec
}

func newMetrics(store *cache.Store) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hoard_requests_total", Help: "Requests by mount, format and cache result.",
		}, []string{"mount", "format", "result"}),
		bytesServed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hoard_served_bytes_total", Help: "Response body bytes sent to clients.",
		}, []string{"mount"}),
		upstreamRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hoard_upstream_requests_total", Help: "Upstream requests by mount and status class (error: no answer).",
		}, []string{"mount", "code"}),
		upstreamLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hoard_upstream_duration_seconds", Help: "Time to upstream response headers.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}, []string{"mount"}),
		waiters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hoard_fill_waiters_total", Help: "Requests that joined a fill already in flight instead of fetching again.",
		}, []string{"mount"}),
	}
	m.corrupt = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoard_corrupt_blobs_total", Help: "Cached blobs that did not match their digest when first served since start; dropped and fetched again.",
	}, []string{"mount"})
	m.policy = newPolicyCounter(reg)
	m.usage, m.upstreamBytes = usage.New(), newUpstreamBytes(reg)
	reg.MustRegister(m.corrupt, m.requests, m.bytesServed, m.upstreamRequests, m.upstreamLatency, m.waiters,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hoard_cache_bytes", Help: "Bytes of distinct cached blobs."},
			func() float64 { return float64(store.Stats().Bytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hoard_cache_entries", Help: "Cache index entries."},
			func() float64 { return float64(store.Stats().Entries) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "hoard_cache_evictions_total", Help: "Entries evicted to keep the size budget."},
			func() float64 { return float64(store.Stats().Evictions) }),
	)
	return m
}

// upstreamDone counts one upstream exchange.
func (m *metrics) upstreamDone(mount string, resp *http.Response, err error, took time.Duration) {
	if errors.Is(err, upstream.ErrBreakerOpen) {
		return // refused before any request was made
	}
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode/100) + "xx"
	}
	m.upstreamRequests.WithLabelValues(mount, code).Inc()
	if err == nil {
		m.upstreamLatency.WithLabelValues(mount).Observe(took.Seconds())
	}
}

// servedKey names one combination of request counter labels.
type servedKey struct{ mount, format, result string }

type servedCounters struct{ requests, bytes prometheus.Counter }

// served counts one answered request. The counters of each label combination are
// looked up once and kept: this runs on every request, and a vector lookup hashes
// every label value each time.
func (m *metrics) served(mount, format, result string, bytes int64) {
	k := servedKey{mount, format, result}
	c, ok := m.servedBy.Load(k)
	if !ok {
		c, _ = m.servedBy.LoadOrStore(k, &servedCounters{
			requests: m.requests.WithLabelValues(mount, format, result),
			bytes:    m.bytesServed.WithLabelValues(mount),
		})
	}
	sc := c.(*servedCounters)
	sc.requests.Inc()
	sc.bytes.Add(float64(bytes))
}
