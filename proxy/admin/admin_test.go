package admin

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTokenRequired(t *testing.T) {
	s := New(Options{Token: "secret"})
	for _, c := range []struct {
		auth string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer wrong", http.StatusUnauthorized},
		{"Basic c2VjcmV0", http.StatusUnauthorized},
		{"Bearer secret", http.StatusNotFound}, // past the check: no such endpoint
	} {
		req := httptest.NewRequest("GET", "/api/nothing", nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("Authorization %q: %d, want %d", c.auth, rec.Code, c.want)
		}
	}
}

func TestNoTokenOnLoopback(t *testing.T) {
	s := New(Options{})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/api/nothing", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("%d, want 404 without a token configured", rec.Code)
	}
}
