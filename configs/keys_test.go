package configs

import (
	"strings"
	"testing"
)

func TestEveryProblemReportedAtOnceWithItsPath(t *testing.T) {
	_, err := Load(writeFile(t, `
cache:
  max_sise: 1GiB
  fill_timeout: soon
upstream:
  retries: many
mounts:
  - name: m
    format: maven
    upstreem: "http://127.0.0.1:1"
`))
	if err == nil {
		t.Fatal("accepted a file with four mistakes")
	}
	for _, want := range []string{
		`cache.max_sise (line 3): unknown key; did you mean "max_size"?`,
		`cache.fill_timeout (line 4): "soon" is not a duration`,
		"upstream.retries (line 6): !!str `many` is not a whole number",
		`mounts[0].upstreem (line 10): unknown key; did you mean "upstream"?`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestFarKeyGetsNoSuggestion(t *testing.T) {
	_, err := Load(writeFile(t, "zzzzzzzz: 1\n"))
	if err == nil || !strings.Contains(err.Error(), "zzzzzzzz (line 1): unknown key") || strings.Contains(err.Error(), "did you mean") {
		t.Fatalf("got %v", err)
	}
}

func TestFileWithoutMountsKeepsDefaults(t *testing.T) {
	c, err := Load(writeFile(t, "listen: \"127.0.0.1:9000\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.DefaultMounts || len(c.Mounts) != len(Default().Mounts) {
		t.Fatalf("mounts %+v (default %v); want the built-in ones", c.Mounts, c.DefaultMounts)
	}
	c, err = Load(writeFile(t, "mounts: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(onlyMaven); err == nil || !strings.Contains(err.Error(), "leave the key out") {
		t.Fatalf("an empty mounts list: got %v", err)
	}
}

func TestUnknownTTLClassNamesKeyAndClasses(t *testing.T) {
	c, err := Load(writeFile(t, `
mounts:
  - {name: npm, format: npm, upstream: "http://127.0.0.1:1", ttl: {packumnet: 1m, packument: 1m}}
  - {name: img, format: oci, upstream: "http://127.0.0.1:1", ttl: {packument: 1m}}
`))
	if err != nil {
		t.Fatal(err)
	}
	classes := map[string][]string{"npm": {"packument"}, "oci": {"tag", "tags", "referrers"}}
	err = c.CheckTTLClasses(func(f string) []string { return classes[f] })
	for _, want := range []string{
		`mounts[0].ttl.packumnet: format npm has no TTL class "packumnet"; its classes are packument`,
		`mounts[1].ttl.packument: format oci has no TTL class "packument"; its classes are tag, tags, referrers`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v; want %q", err, want)
		}
	}
}

func TestOfflineWithUpstreamTokenChecksRefused(t *testing.T) {
	c, err := Load(writeFile(t, "offline: true\nmounts:\n  - {name: m, format: maven, upstream: \"http://127.0.0.1:1\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate(onlyMaven)
	if err == nil || !strings.Contains(err.Error(), "auth.mode: upstream checks every token") || !strings.Contains(err.Error(), "local") {
		t.Fatalf("offline with auth.mode upstream: got %v", err)
	}
	c.Auth.Mode = "local"
	if err := c.Validate(onlyMaven); err != nil {
		t.Fatalf("offline with local tokens: %v", err)
	}
}
