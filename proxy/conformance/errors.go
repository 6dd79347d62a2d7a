package conformance

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"

	"hoard/formats"
)

// errorStatuses are the statuses the engine answers with an error of its own.
var errorStatuses = []int{400, 401, 403, 404, 405, 413, 429, 500, 502, 503, 504}

// checkErrorShape: every error answer is in the protocol's own shape (ErrorType),
// not sniffed, with the status asked for and the message in the body; a route's
// own error reads the same way, and so does the engine's "no mount" of a rooted
// format.
func checkErrorShape(t T, s Subject) {
	t.Helper()
	f := s.New()
	const msg = "conformance check message"
	for _, req := range []Request{s.Artifact, s.Metadata, s.Missing} {
		for _, status := range errorStatuses {
			r, _ := newRequest(f, "m", req)
			expectShape(t, s, f, r, status, errors.New(msg), msg)
		}
	}
	// What Route refuses is answered with its own error.
	for _, sm := range s.Samples {
		if !isRead(sm.Kind) {
			continue
		}
		bad := sm.Request
		bad.Path = "/%2e%2e" + sm.Path
		r, rest := newRequest(f, "m", bad)
		if _, err := f.Route(r, rest); err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, formats.ErrMethod) {
				status = http.StatusMethodNotAllowed
			}
			expectShape(t, s, f, r, status, err, err.Error())
		}
	}
	if _, ok := f.(formats.Rooted); ok {
		r, _ := newRequest(f, "nomount", s.Artifact)
		expectShape(t, s, f, r, http.StatusNotFound, formats.ErrNoMount, formats.ErrNoMount.Error())
	}
}

func expectShape(t T, s Subject, f formats.Format, r *http.Request, status int, err error, msg string) {
	t.Helper()
	rec := httptest.NewRecorder()
	f.WriteError(rec, r, status, err)
	what := r.Method + " " + r.URL.Path
	if rec.Code != status {
		t.Errorf("%s: WriteError(%d) answered %d", what, status, rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, s.ErrorType) {
		t.Errorf("%s: error %d has Content-Type %q, want %s", what, status, ct, s.ErrorType)
	}
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: error %d may be sniffed (no X-Content-Type-Options: nosniff)", what, status)
	}
	if !strings.Contains(rec.Body.String(), msg) {
		t.Errorf("%s: error %d body %q lacks the message %q", what, status, rec.Body.String(), msg)
	}
}
