package proxy

// Remembered upstream 404s. With the callers' own credentials passed upstream, the
// upstream may answer each caller differently (GitHub Packages answers 404 to a caller
// who may not read a private package), so a 404 is remembered for the caller it was
// given to and answers only that caller; another caller asks the upstream itself.

// missOwner is whose 404 a fill's answer is: "" when every caller gets the same
// upstream answer (the mount sends a credential of its own, or none).
func missOwner(m *mount, who string) string {
	if m.cred.Passthrough {
		return who
	}
	return ""
}

// rememberMissing records an upstream 404 for key, as answered to spec's caller.
func (e *engine) rememberMissing(key string, spec fillSpec) {
	if e.negative != nil {
		e.negative.Add(key, missOwner(spec.mount, spec.who))
	}
}

// knownMissing reports whether the upstream recently answered 404 for key to the
// caller who (a callerKey).
func (e *engine) knownMissing(m *mount, key, who string) bool {
	if e.negative == nil {
		return false
	}
	owner, ok := e.negative.Peek(key)
	return ok && owner == missOwner(m, who)
}
