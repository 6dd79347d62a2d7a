package proxy

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Generated request ids are valid ids (a client may send one back) and do not
// repeat.
func TestNewRequestIDUniqueAndValid(t *testing.T) {
	seen := make(map[string]bool, 100_000)
	var ids requestIDs
	ids.seed()
	for i := 0; i < 100_000; i++ {
		id := ids.next()
		if len(id) != 16 || !validRequestID.MatchString(id) {
			t.Fatalf("id %q", id)
		}
		if seen[id] {
			t.Fatalf("id %q repeated after %d", id, i)
		}
		seen[id] = true
	}
}

// A request's own valid id is kept and echoed; a missing or invalid one is
// replaced by a generated id.
func TestRequestIDEchoed(t *testing.T) {
	s := &Server{}
	h := s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, tc := range []struct{ sent, want string }{{"build-42.a_b", "build-42.a_b"}, {"", ""}, {"bad id\n", ""}} {
		r := httptest.NewRequest(http.MethodGet, "/x", nil)
		if tc.sent != "" {
			r.Header.Set("X-Request-Id", tc.sent)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		got := w.Header().Get("X-Request-Id")
		if tc.want != "" && got != tc.want || tc.want == "" && (len(got) != 16 || got == tc.sent) {
			t.Errorf("sent %q, echoed %q", tc.sent, got)
		}
	}
}
