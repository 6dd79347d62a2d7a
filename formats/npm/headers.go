package npm

// ForwardHeaders implements formats.HeaderForwarder: the npm client's own headers
// that a registry reads on a forwarded request. Npm-Otp carries the one-time
// password a registry with two-factor publishing asks for; the others say which
// command and session a request belongs to, as npm's registry documents them.
func (Format) ForwardHeaders() []string {
	return []string{"Npm-Otp", "Npm-Command", "Npm-Session", "Npm-Auth-Type", "Npm-Scope", "Npm-In-Ci"}
}
