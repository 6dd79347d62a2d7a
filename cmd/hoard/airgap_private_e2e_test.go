package main_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/origin"
)

// TestAirGapPrivateStaysPrivate: what a connected hoard fetched with a caller's
// own credentials is private content; carried across and served offline with
// --auth local, it goes only to tokens whose namespaces cover it.
func TestAirGapPrivateStaysPrivate(t *testing.T) {
	needE2E(t)
	requireFiles(t, filepath.Join(debianMavenRepo, "junit/junit/4.13.2/junit-4.13.2.jar"))
	_, up := mavenOrigin(t, origin.Options{RequireAuth: "alice:s3cret", ReadAuth: true})
	connected := startHoard(t, t.TempDir(), "--mount", "maven=maven,"+up.URL()+originBase)
	list := filepath.Join(t.TempDir(), "deps.txt")
	os.WriteFile(list, []byte("junit:junit:4.13.2\n"), 0o644)
	if out, err := adminCmd(t, connected, "warm", list); err == nil {
		t.Fatalf("anonymous warm of a private repository succeeded:\n%s", out)
	}
	if out, err := adminCmd(t, connected, "warm", "--token", "alice:s3cret", list); err != nil {
		t.Fatalf("warm with credentials: %v\n%s", err, out)
	}
	bundle := filepath.Join(t.TempDir(), "private.bundle")
	if out, err := adminCmd(t, connected, "export", "--out", bundle); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	connected.Stop()
	up.Close()

	site := startHoard(t, t.TempDir(), "--offline", "--auth", "local", "--mount", "maven=maven,http://127.0.0.1:9/repo")
	if out, err := adminCmd(t, site, "import", bundle); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	token := func(name, namespaces string) string {
		out, err := hoardCmd(t, "token", "create", "--data-dir", site.DataDir, "--name", name,
			"--scopes", "read:packages", "--namespaces", namespaces)
		if err != nil {
			t.Fatalf("token create: %v\n%s", err, out)
		}
		return strings.TrimSpace(out)
	}
	all, other := token("all", "*"), token("other", "com/other")
	jar := site.URL + "/maven/junit/junit/4.13.2/junit-4.13.2.jar"
	get := func(tok string) int {
		req, _ := http.NewRequest("GET", jar, nil)
		if tok != "" {
			req.SetBasicAuth("ci", tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	eventually(t, 5*time.Second, "the token covering the package reads the private jar", func() bool { return get(all) == 200 })
	if s := get(other); s != 404 {
		t.Errorf("a token whose namespaces do not cover the package: %d, want 404", s)
	}
	if s := get(""); s != 401 {
		t.Errorf("anonymous: %d, want 401", s)
	}
}
