package configs

import (
	"strings"
	"testing"
)

func TestGitHubDeriveRefusesWhatItCannotRead(t *testing.T) {
	for url, want := range map[string]string{
		"ftp://github.com":        "not a site URL",
		"https://github.com/acme": "not a site URL",
		"https://u:p@git.corp":    "not a site URL",
		"https://git.corp?x=1":    "not a site URL",
		"notaurl":                 "not a site URL",
	} {
		if _, err := (GitHub{URL: url}).Derive(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", url, err)
		}
	}
	if _, err := (GitHub{URL: "https://git.corp", Registries: map[string]string{"pypi": "https://x"}}).Derive(); err == nil {
		t.Error("an override of a format GitHub Packages lacks was accepted")
	}
	if _, err := (GitHub{URL: "https://git.corp", Registries: map[string]string{"npm": "https://u:p@x"}}).Derive(); err == nil {
		t.Error("an override with credentials was accepted")
	}
}

// TestApplyGitHubKeepsExplicitUpstreams: a mount that names its upstream, and an
// auth.validate_url that is set, are not derived.
func TestApplyGitHubKeepsExplicitUpstreams(t *testing.T) {
	c := Config{GitHub: GitHub{URL: "https://octo.ghe.com"}, Auth: Auth{ValidateURL: "https://check.example/user"},
		Mounts: []Mount{{Name: "a", Format: "maven", Upstream: "https://mirror.example"}, {Name: "b", Format: "maven"}, {Name: "c", Format: "npm"}}}
	dropped, err := c.ApplyGitHub()
	if err != nil || len(dropped) != 1 || dropped[0] != "b" {
		t.Fatalf("dropped %v %v", dropped, err)
	}
	if c.Auth.ValidateURL != "https://check.example/user" || c.Mounts[0].Upstream != "https://mirror.example" || c.Mounts[1].Upstream != "https://npm.octo.ghe.com" {
		t.Errorf("%+v", c)
	}
}
