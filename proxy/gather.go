package proxy

import "github.com/prometheus/client_golang/prometheus"

// Metrics is the server's Prometheus registry, for the admin API's stats: it reads
// the counters /metrics exports rather than keeping a second set on the request path.
func (s *Server) Metrics() prometheus.Gatherer { return s.metrics.registry }
