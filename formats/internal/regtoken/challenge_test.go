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
		realm       string
		up          *url.URL
		ok, trusted bool
	}{
		{"https://r.example/token", tlsUp, true, true},
		{"http://r.example/token", tlsUp, false, false},
		{"https://auth.r.example/token", tlsUp, true, false},
		{"https://auth.listed.example/token", tlsUp, true, true},
		{"https://r.example:8443/token", tlsUp, true, false},
		{"https://user:pw@r.example/token", tlsUp, false, false},
		{"/token", tlsUp, false, false},
		{"http://127.0.0.1:5000/token", plainUp, true, true},
		{"http://127.0.0.1:5001/token", plainUp, true, false},
	}
	for _, c := range cases {
		_, trusted, err := checkRealm(c.realm, c.up, []string{"auth.listed.example"})
		if (err == nil) != c.ok || trusted != c.trusted {
			t.Errorf("checkRealm(%q, %s): trusted %v, %v; want ok %v, trusted %v", c.realm, c.up, trusted, err, c.ok, c.trusted)
		}
	}
}
