package main

import "testing"

func TestPublicURLWarning(t *testing.T) {
	for _, c := range []struct {
		public, listen string
		warn           bool
	}{
		{"http://localhost:8080", "[::]:8080", true},
		{"http://127.0.0.1:8080", "0.0.0.0:8080", true},
		{"http://localhost:8080", "10.1.2.3:8080", true},
		{"http://localhost:8080", "127.0.0.1:8080", false},
		{"http://[::1]:8080", "[::1]:8080", false},
		{"https://hoard.example", "[::]:8080", false},
	} {
		if got := publicURLWarning(c.public, c.listen) != ""; got != c.warn {
			t.Errorf("public_url %s, listening on %s: warning %v, want %v", c.public, c.listen, got, c.warn)
		}
	}
}
