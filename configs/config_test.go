package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func onlyMaven(f string) bool { return f == "maven" }

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hoard.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultMountsGitHubPackages(t *testing.T) {
	c := Default()
	if c.Listen != ":8080" || c.DataDir != "./hoard-data" {
		t.Errorf("listen %q data_dir %q", c.Listen, c.DataDir)
	}
	dropped := c.DropUnknownFormats(onlyMaven)
	if len(dropped) != 4 || len(c.Mounts) != 1 {
		t.Fatalf("mounts %+v dropped %v", c.Mounts, dropped)
	}
	if err := c.Validate(onlyMaven); err != nil {
		t.Fatal(err)
	}
	if c.Mounts[0].Upstream != "https://maven.pkg.github.com" || c.Auth.ValidateURL != "https://api.github.com/user" {
		t.Errorf("github.url derived %q and %q", c.Mounts[0].Upstream, c.Auth.ValidateURL)
	}
	if c.PublicURL != "http://localhost:8080" {
		t.Errorf("public_url %q", c.PublicURL)
	}
}

func TestUnknownKeyNamesTheKey(t *testing.T) {
	_, err := Load(writeFile(t, "cache:\n  max_sise: 1GiB\n"))
	if err == nil || !strings.Contains(err.Error(), "max_sise") {
		t.Fatalf("got %v", err)
	}
}

func TestBadValuesNameTheKey(t *testing.T) {
	cases := map[string]string{
		"cache:\n  negative_ttl: soon\n": "soon",
		"cache:\n  max_size: lots\n":     "lots",
		"log:\n  level: loud\n":          "log.level",
		"listen: nowhere\n":              "listen",
		"public_url: ftp://x\n":          "public_url",
		"mounts:\n  - {name: m, format: npm, upstream: \"http://127.0.0.1:1\"}\n": "mounts[0]",
		"mounts:\n  - {name: m, format: maven, upstream: \"notaurl\"}\n":          "upstreams[0].url",
		"mounts:\n  - {name: metrics, format: maven, upstream: \"http://a\"}\n":   "mounts[0]",
	}
	for body, want := range cases {
		c, err := Load(writeFile(t, body))
		if err == nil {
			err = c.Validate(onlyMaven)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error naming %q", body, err, want)
		}
	}
}

func TestFileMountsReplaceDefaults(t *testing.T) {
	c, err := Load(writeFile(t, `
mounts:
  - name: central
    format: maven
    upstreams:
      - {url: "http://127.0.0.1:9001/a", match: ["com/acme/*"]}
      - {url: "http://127.0.0.1:9002/b"}
    ttl: {metadata: 2m}
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(onlyMaven); err != nil {
		t.Fatal(err)
	}
	if len(c.Mounts) != 1 || len(c.Mounts[0].Rules()) != 2 || c.Mounts[0].TTL["metadata"].D().Minutes() != 2 {
		t.Fatalf("%+v", c.Mounts)
	}
}

func TestParseMountFlag(t *testing.T) {
	m, err := ParseMountFlag("maven=maven,http://127.0.0.1:8081/repo")
	if err != nil || m.Name != "maven" || m.Format != "maven" || m.Upstream != "http://127.0.0.1:8081/repo" {
		t.Fatalf("%+v %v", m, err)
	}
	for _, bad := range []string{"maven", "maven=maven", "=maven,http://x", "maven=,http://x"} {
		if _, err := ParseMountFlag(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// --mount takes per-mount settings after the URL; the URL is parsed strictly, so a
// setting never ends up in it, and a comma of the URL is escaped.
func TestParseMountFlagOptions(t *testing.T) {
	m, err := ParseMountFlag(`mvn=maven,http://h/maven2,ttl=1s,ttl.snapshot=2m,credential=env:TOK,anonymous_read=true,token_realms=auth.example;a.example:8443`)
	if err != nil {
		t.Fatal(err)
	}
	if m.Upstream != "http://h/maven2" || m.AllTTL.D() != time.Second || m.TTL["snapshot"].D() != 2*time.Minute ||
		m.Credential != "env:TOK" || !m.AnonymousRead || len(m.TokenRealms) != 2 || m.TokenRealms[1] != "a.example:8443" {
		t.Fatalf("%+v", m)
	}
	c := Config{Mounts: []Mount{m}}
	c.ExpandAllTTL(func(string) []string { return []string{"metadata", "snapshot"} })
	if got := c.Mounts[0].TTL; got["metadata"].D() != time.Second || got["snapshot"].D() != 2*time.Minute {
		t.Errorf("expanded TTLs %v", got)
	}
	if m, err := ParseMountFlag(`w=maven,http://h/a\,b/c\\d`); err != nil || m.Upstream != `http://h/a,b/c%5Cd` {
		t.Errorf("escaped comma: %+v %v", m, err)
	}
	for bad, want := range map[string]string{
		"mvn=maven,http://h/m,tll=1s":            `unknown key "tll"`,
		"mvn=maven,http://h/m,ttl=soon":          "ttl",
		"mvn=maven,http://h/a,b":                 `"b" is not KEY=VALUE`,
		"mvn=maven,http://h/m,credential=bogus":  "credential",
		"mvn=maven,http://h/m,anonymous_read=no": "anonymous_read",
		"mvn=maven,http://h/m?x=1":               "query",
		`mvn=maven,http://h/m\x`:                 "want",
	} {
		if _, err := ParseMountFlag(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %s", bad, err, want)
		}
	}
}

func TestByteSizes(t *testing.T) {
	for in, want := range map[string]int64{"1024": 1024, "2KiB": 2048, "1.5GiB": 3 << 29, "10MB": 10e6} {
		got, err := ParseByteSize(in)
		if err != nil || int64(got) != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
}

func TestExampleConfigsValidate(t *testing.T) {
	files, _ := filepath.Glob("*.yaml")
	for _, f := range files {
		if f == "default.yaml" {
			continue
		}
		c, err := Load(f)
		if err == nil {
			err = c.Validate(func(string) bool { return true })
		}
		if err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if len(files) < 4 {
		t.Errorf("expected the example deployment files beside default.yaml, found %v", files)
	}
}

func TestMountFlagCredentialLeavesTheURL(t *testing.T) {
	m, err := ParseMountFlag("maven=maven,https://bot:s3cret@127.0.0.1:9000/repo")
	if err != nil {
		t.Fatal(err)
	}
	if m.Upstream != "https://127.0.0.1:9000/repo" || m.InlineCredential != "bot:s3cret" {
		t.Fatalf("%+v", m)
	}
	if _, err := ParseMountFlag("maven=maven,http://%zz"); err == nil || strings.Contains(err.Error(), "%zz") {
		t.Errorf("bad URL: %v", err)
	}
}
