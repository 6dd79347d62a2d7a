package oci

// TTLClasses are the Route.TTLClass values this format sets.
func (Format) TTLClasses() []string { return []string{"tag", "tags", "referrers"} }
