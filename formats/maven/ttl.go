package maven

// TTLClasses are the Route.TTLClass values this format sets.
func (Format) TTLClasses() []string { return []string{"metadata", "snapshot"} }
