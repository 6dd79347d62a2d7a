package warm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// maxDocument bounds a captured body: the largest npm packuments are about 25 MB.
const maxDocument = 256 << 20

// send runs one request through the handler and classifies its answer by the
// X-Hoard-Cache the daemon stamps on it.
func (r *run) send(req request) (Event, []byte) {
	hreq, err := http.NewRequestWithContext(r.ctx, http.MethodGet, r.o.PublicURL+req.path, nil)
	if err != nil {
		return Event{Result: Failed, Error: err.Error()}, nil
	}
	hreq.RemoteAddr = "127.0.0.1:0"
	hreq.RequestURI = req.path
	hreq.Header.Set("User-Agent", "hoard-warm")
	if req.accept != "" {
		hreq.Header.Set("Accept", req.accept)
	}
	if r.o.Auth != "" {
		hreq.Header.Set("Authorization", r.o.Auth)
	}
	w := &sink{header: http.Header{}, capture: req.capture}
	r.o.Handler.ServeHTTP(w, hreq)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status == http.StatusNotFound && req.optional {
		return Event{Result: Absent}, nil
	}
	if w.status != http.StatusOK {
		return Event{Result: Failed, Error: fmt.Sprintf("%d %s%s", w.status, http.StatusText(w.status), snippet(w.body))}, nil
	}
	if w.overflow {
		return Event{Result: Failed, Error: "document larger than the warm reads"}, nil
	}
	switch w.header.Get("X-Hoard-Cache") {
	case "miss", "revalidated":
		return Event{Result: Fetched, Bytes: w.n}, w.body
	}
	return Event{Result: Cached, Bytes: w.n}, w.body
}

// snippet is the start of an error body, on one line.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return ": " + s
}

// sink is the ResponseWriter of a warm request: it counts the body and keeps it
// only when asked to (a document) or when the answer is an error (its reason).
type sink struct {
	header   http.Header
	status   int
	n        int64
	capture  bool
	body     []byte
	overflow bool
}

func (s *sink) Header() http.Header { return s.header }

func (s *sink) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

func (s *sink) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	s.n += int64(len(p))
	keep := s.capture || s.status != http.StatusOK
	limit := maxDocument
	if !s.capture {
		limit = 4 << 10
	}
	if keep && !s.overflow {
		if len(s.body)+len(p) > limit {
			s.overflow = s.capture
		} else {
			s.body = append(s.body, p...)
		}
	}
	return len(p), nil
}

func sha256Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
