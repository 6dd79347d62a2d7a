package proxy

import "github.com/prometheus/client_golang/prometheus"

// watchBreakers logs each upstream breaker's opening and closing, and exports its
// state as hoard_upstream_breaker_open{mount,upstream}: an open breaker means misses
// for that upstream are refused without asking it, which an operator must see.
func (s *Server) watchBreakers() {
	seen := map[[2]string]bool{}
	for _, m := range s.mounts {
		for _, u := range m.upstreams {
			mount, upstream, u := m.name, u.Base.String(), u
			if seen[[2]string{mount, upstream}] {
				continue // the same URL listed twice: one series is enough
			}
			seen[[2]string{mount, upstream}] = true
			u.OnBreakerChange(func(open bool, failures int) {
				if open {
					s.log.Warn().Str("mount", mount).Str("upstream", upstream).Int("failures", failures).
						Float64("cooldown_s", u.BreakerCooldown().Seconds()).Msg("upstream breaker opened: misses are refused until a probe succeeds")
					return
				}
				s.log.Info().Str("mount", mount).Str("upstream", upstream).Msg("upstream breaker closed: the upstream answers again")
			})
			s.metrics.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name:        "hoard_upstream_breaker_open",
				Help:        "1 while the upstream's circuit breaker is open (misses refused without asking it), else 0.",
				ConstLabels: prometheus.Labels{"mount": mount, "upstream": upstream},
			}, func() float64 {
				if u.BreakerOpen() {
					return 1
				}
				return 0
			}))
		}
	}
}
