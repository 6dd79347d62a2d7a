package proxy

import (
	"net/url"
	"testing"
)

func TestOCIParseChallenge(t *testing.T) {
	c := parseChallenge(`Bearer realm="https://r.example/token",service="r.example",scope="repository:a/b:pull,push"`)
	if c.scheme != "bearer" || c.realm != "https://r.example/token" || c.service != "r.example" || c.scope != "repository:a/b:pull,push" {
		t.Fatalf("%+v", c)
	}
	if c := parseChallenge(`Basic realm="x"`); c.scheme != "basic" || c.realm != "x" {
		t.Fatalf("%+v", c)
	}
	if c := parseChallenge(`Bearer realm=unquoted,service=s`); c.realm != "unquoted" || c.service != "s" {
		t.Fatalf("%+v", c)
	}
}

func TestOCICheckRealm(t *testing.T) {
	tlsUp, _ := url.Parse("https://r.example")
	plainUp, _ := url.Parse("http://127.0.0.1:5000")
	cases := []struct {
		realm string
		up    *url.URL
		ok    bool
	}{
		{"https://r.example/token", tlsUp, true},
		{"http://r.example/token", tlsUp, false},
		{"https://auth.r.example/token", tlsUp, false},
		{"https://r.example:8443/token", tlsUp, false},
		{"https://user:pw@r.example/token", tlsUp, false},
		{"/token", tlsUp, false},
		{"http://127.0.0.1:5000/token", plainUp, true},
		{"http://127.0.0.1:5001/token", plainUp, false},
	}
	for _, c := range cases {
		if _, err := checkRealm(c.realm, c.up); (err == nil) != c.ok {
			t.Errorf("checkRealm(%q, %s): %v", c.realm, c.up, err)
		}
	}
}

// A token the upstream no longer takes (expired early) is replaced once, and the
// request retried with the new one.
func TestOCIRejectedTokenRenewed(t *testing.T) {
	f := newFakeRegistry(t)
	h := ociHoard(t, f.srv.URL)
	url := h.URL + "/v2/m/lib/img/manifests/v1"
	if resp, _ := ociDo(t, "GET", url, map[string]string{"Accept": ociAccept}); resp.StatusCode != 200 {
		t.Fatalf("first pull: %d", resp.StatusCode)
	}
	f.rejectTokens.Store(1)
	if resp, _ := ociDo(t, "HEAD", url, map[string]string{"Accept": ociAccept}); resp.StatusCode != 200 {
		t.Fatalf("after a rejected token: %d", resp.StatusCode)
	}
	if n := f.tokenCalls.Load(); n != 2 {
		t.Fatalf("token requests %d, want 2 (one renewal)", n)
	}
}
