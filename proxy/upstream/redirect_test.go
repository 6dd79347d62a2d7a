package upstream

import (
	"net/http"
	"testing"
)

// Credentials follow a redirect only to the same scheme and host:port.
func TestRedirectCredentialRules(t *testing.T) {
	cases := map[string]bool{ // redirect target -> Authorization kept
		"https://maven.example.com/b":      true,
		"https://maven.example.com:8443/b": false,
		"https://objects.example.com/b":    false,
		"https://sub.maven.example.com/b":  false,
		"http://maven.example.com/b":       false,
	}
	first, _ := http.NewRequest(http.MethodGet, "https://maven.example.com/a", nil)
	for target, keep := range cases {
		next, _ := http.NewRequest(http.MethodGet, target, nil)
		next.Header.Set("Authorization", "Bearer x")
		if err := stripCredentialsOffHost(next, []*http.Request{first}); err != nil {
			t.Fatal(err)
		}
		if got := next.Header.Get("Authorization") != ""; got != keep {
			t.Errorf("redirect to %s: Authorization kept = %v, want %v", target, got, keep)
		}
	}
}
