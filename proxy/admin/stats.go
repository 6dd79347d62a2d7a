package admin

import (
	"fmt"
	"net/http"

	dto "github.com/prometheus/client_model/go"
)

// Stats is GET /api/stats: the cache's size against its budget and, per mount,
// what the proxy's Prometheus counters hold since the daemon started.
type Stats struct {
	Cache  CacheStats   `json:"cache"`
	Mounts []MountStats `json:"mounts"`
}

// CacheStats are the store's figures. Pinned bytes add up pinned entries' sizes
// and are part of Bytes; eviction never removes them, and pins past PinnedBudget
// are refused, so the LRU always has Budget minus PinnedBudget to work with.
type CacheStats struct {
	Bytes         int64 `json:"bytes"`
	Budget        int64 `json:"budget"` // cache.max_size; 0 = unlimited
	Entries       int64 `json:"entries"`
	Evictions     int64 `json:"evictions"`
	PinnedEntries int64 `json:"pinned_entries"`
	PinnedBytes   int64 `json:"pinned_bytes"`
	PinnedBudget  int64 `json:"pinned_budget"` // cache.max_pinned_size, or half of max_size; 0 = no ceiling
}

// MountStats are one mount's traffic. HitRatio is answers from the cache (hit,
// revalidated, stale) over those plus misses; bypass and error answers are left
// out. It is 0 before any cacheable request.
type MountStats struct {
	Mount       string           `json:"mount"`
	Format      string           `json:"format"`
	Requests    map[string]int64 `json:"requests"` // by cache result
	HitRatio    float64          `json:"hit_ratio"`
	BytesServed int64            `json:"bytes_served"`
	Upstream    UpstreamStats    `json:"upstream"`
}

// UpstreamStats are a mount's exchanges with its upstreams.
type UpstreamStats struct {
	Requests int64 `json:"requests"`
	// Bytes are response bodies read from the upstreams: fills, revalidations
	// that brought a new body, and forwarded requests.
	Bytes     int64            `json:"bytes"`
	ByStatus  map[string]int64 `json:"by_status"` // "2xx" ... "5xx", "error" (no answer)
	ErrorRate float64          `json:"error_rate"`
	// MeanLatencySeconds is the mean time to response headers.
	MeanLatencySeconds float64   `json:"mean_latency_seconds"`
	Breakers           []Breaker `json:"breakers"`
}

// Breaker is one upstream's circuit breaker: open means misses are refused
// without asking that upstream.
type Breaker struct {
	Upstream string `json:"upstream"`
	Open     bool   `json:"open"`
}

func (s *Server) stats(w http.ResponseWriter, _ *http.Request) {
	out, err := s.collectStats(true)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// collectStats reads the store's figures and the proxy's counters; withPins
// adds the pinned entries, which costs a walk of the pins.
func (s *Server) collectStats(withPins bool) (Stats, error) {
	st := s.o.Store.Stats()
	out := Stats{Cache: CacheStats{Bytes: st.Bytes, Budget: s.o.CacheBudget, Entries: st.Entries, Evictions: st.Evictions, PinnedBudget: s.o.PinnedBudget}}
	if withPins {
		if pins, err := s.o.Store.Pinned(); err == nil {
			out.Cache.PinnedEntries, out.Cache.PinnedBytes = pins.Entries, pins.Bytes
		}
	}
	byMount := map[string]*MountStats{}
	for _, m := range s.o.Mounts {
		ms := MountStats{Mount: m.Name, Format: m.Format, Requests: map[string]int64{},
			Upstream: UpstreamStats{ByStatus: map[string]int64{}, Breakers: []Breaker{}}}
		out.Mounts = append(out.Mounts, ms)
	}
	for i := range out.Mounts {
		byMount[out.Mounts[i].Mount] = &out.Mounts[i]
	}
	if s.o.Metrics != nil {
		fams, err := s.o.Metrics.Gather()
		if err != nil {
			return out, fmt.Errorf("reading the metrics: %w", err)
		}
		for _, f := range fams {
			addFamily(byMount, f)
		}
	}
	for i := range out.Mounts {
		out.Mounts[i].finish()
	}
	return out, nil
}

// addFamily folds one metric family into the mounts it has series for.
func addFamily(byMount map[string]*MountStats, f *dto.MetricFamily) {
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		ms := byMount[labels["mount"]]
		if ms == nil {
			continue
		}
		switch f.GetName() {
		case "hoard_requests_total":
			ms.Requests[labels["result"]] += int64(m.GetCounter().GetValue())
		case "hoard_served_bytes_total":
			ms.BytesServed += int64(m.GetCounter().GetValue())
		case "hoard_upstream_bytes_total":
			ms.Upstream.Bytes += int64(m.GetCounter().GetValue())
		case "hoard_upstream_requests_total":
			ms.Upstream.ByStatus[labels["code"]] += int64(m.GetCounter().GetValue())
		case "hoard_upstream_duration_seconds":
			h := m.GetHistogram()
			if n := h.GetSampleCount(); n > 0 {
				ms.Upstream.MeanLatencySeconds = h.GetSampleSum() / float64(n)
			}
		case "hoard_upstream_breaker_open":
			ms.Upstream.Breakers = append(ms.Upstream.Breakers, Breaker{Upstream: labels["upstream"], Open: m.GetGauge().GetValue() == 1})
		}
	}
}

// finish derives the ratios from the counts.
func (ms *MountStats) finish() {
	cached := ms.Requests["hit"] + ms.Requests["revalidated"] + ms.Requests["stale"]
	if n := cached + ms.Requests["miss"]; n > 0 {
		ms.HitRatio = float64(cached) / float64(n)
	}
	var failed int64
	for code, n := range ms.Upstream.ByStatus {
		ms.Upstream.Requests += n
		if code == "5xx" || code == "error" {
			failed += n
		}
	}
	if ms.Upstream.Requests > 0 {
		ms.Upstream.ErrorRate = float64(failed) / float64(ms.Upstream.Requests)
	}
}
