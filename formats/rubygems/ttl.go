package rubygems

import "time"

// TTLClasses are the Route.TTLClass values this format sets: /versions and /names,
// /info/NAME, the full index's specs files, and the dependency API's answers.
func (Format) TTLClasses() []string { return []string{"versions", "info", "specs", "dependencies"} }

// DefaultTTLs implements formats.TTLDefaulter: a dependency API answer covers many
// gems and no push can name the keys it makes stale, so it lives briefly.
func (Format) DefaultTTLs() map[string]time.Duration {
	return map[string]time.Duration{"dependencies": 30 * time.Second}
}
