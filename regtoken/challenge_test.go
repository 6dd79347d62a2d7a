package regtoken

import (
	"net/url"
	"testing"
)

func TestParseChallenge(t *testing.T) {
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
func TestCheckRealm(t *testing.T) {
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
