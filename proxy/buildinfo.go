package proxy

import "github.com/prometheus/client_golang/prometheus"

// SetBuildInfo exports hoard_build_info{version,commit} 1, so dashboards can tell
// which build each daemon runs. Call it once.
func (s *Server) SetBuildInfo(version, commit string) {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "hoard_build_info", Help: "Always 1; the labels name the running build.",
	}, []string{"version", "commit"})
	g.WithLabelValues(version, commit).Set(1)
	s.metrics.registry.MustRegister(g)
}
