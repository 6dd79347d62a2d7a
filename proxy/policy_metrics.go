package proxy

import "github.com/prometheus/client_golang/prometheus"

// newPolicyCounter counts what operators' policies kept from clients: downloads
// refused with 403 (action "refused") and versions hidden from metadata
// (action "hidden"), by mount and the rule that decided.
func newPolicyCounter(reg *prometheus.Registry) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoard_policy_versions_total",
		Help: "Reads refused and metadata versions hidden by the operator's policy, by mount, rule and action.",
	}, []string{"mount", "rule", "action"})
	reg.MustRegister(c)
	return c
}

func (m *metrics) policyRefused(mount, rule string) {
	m.policy.WithLabelValues(mount, rule, "refused").Inc()
}

func (m *metrics) policyHidden(mount, rule string, n int) {
	m.policy.WithLabelValues(mount, rule, "hidden").Add(float64(n))
}
