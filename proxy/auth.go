package proxy

import (
	"errors"
	"net/http"

	"hoard/formats"
	"hoard/proxy/admission"
)

// admit asks the gate whether the request may go on, and answers the refusal
// itself (429, 401, 403, 503) when it may not.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route) (admission.Caller, bool) {
	c, no := s.gate.Admit(r, m.name, admission.ScopeFor(m.format, rt), m.anonymousRead)
	if no.Refused() {
		s.engine.refuse(w, r, m, no)
		return c, false
	}
	return c, true
}

// refuse writes a refusal admission decided, in the format's error shape: a 401
// with the challenge its clients expect.
func (e *engine) refuse(w http.ResponseWriter, r *http.Request, m *mount, no admission.Refusal) {
	if no.RetryAfter != "" {
		w.Header().Set("Retry-After", no.RetryAfter)
	}
	if no.Status == http.StatusUnauthorized {
		challenge(w, r, m, no.Msg)
		return
	}
	e.fail(w, r, m, no.Status, no.Msg)
}

// challenge answers 401 with the challenge the format's clients expect.
func challenge(w http.ResponseWriter, r *http.Request, m *mount, msg string) {
	ch := `Basic realm="hoard"`
	if f, ok := m.format.(formats.Challenger); ok {
		ch = f.Challenge()
	}
	w.Header().Set("WWW-Authenticate", ch)
	setResult(r, resultError)
	m.format.WriteError(w, r, http.StatusUnauthorized, errors.New(msg))
}
