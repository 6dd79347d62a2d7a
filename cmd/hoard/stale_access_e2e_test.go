package main_test

// Private content through an upstream outage: everything on GitHub Packages is read
// with the caller's own token, so everything hoard caches from it is private and
// re-checked with the upstream once auth.access_ttl has passed. With the upstream
// (registries and API) stopped, the real clients must still build from the cache
// past that TTL, and again after a kill -9 and restart with the upstream still down;
// a caller whose access was never confirmed is refused with 503.

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPrivateBuildsThroughUpstreamOutage(t *testing.T) {
	requireMaven(t)
	requireTools(t, "node", "npm")
	crane := ociTool(t, "crane")
	e := newAuthEnv(t)
	seedMatrix(e)
	const ttl = time.Second
	h := e.start(hoardConfig{verdictTTL: "1s", accessTTL: "1s", stale: "1h"})
	alice, stranger := e.creds["read"], e.creds["delete"]
	builds := func(when string) {
		t.Helper()
		if err := mvnBuildWithLib(t, h.URL, alice); err != nil {
			t.Errorf("%s: mvn package: %v", when, err)
		}
		if out, err := npmInstallLib(t, h.URL, alice); err != nil {
			t.Errorf("%s: npm install: %v\n%s", when, err, out)
		}
		if out, err := craneAs(t, crane, hostOf(h.URL), alice, "--insecure", "pull", hostOf(h.URL)+"/ghcr/acme/app:v1", filepath.Join(t.TempDir(), "img.tar")); err != nil {
			t.Errorf("%s: crane pull: %v\n%s", when, err, out)
		}
	}
	builds("upstream up")
	// The stranger's token is known to hoard (a public read), but it never read
	// the private packages.
	if r := e.do("GET", "/maven/acme/repo/junit/junit/4.13.2/junit-4.13.2.pom", stranger.basic(), nil); r.status != 200 {
		t.Fatalf("a public read with the second token: %d", r.status)
	}

	e.gh.Close()
	time.Sleep(ttl + 500*time.Millisecond) // every verdict and access answer has expired
	builds("upstream down, past access_ttl")
	refusedUnconfirmed(t, e, stranger)
	staleServed(t, e)

	h = e.killAndRestart()
	builds("upstream down, after kill -9 and restart")
	refusedUnconfirmed(t, e, stranger)
}

// refusedUnconfirmed checks that a caller never confirmed for the private packages
// gets a 503 that says access cannot be confirmed, and none of the content.
func refusedUnconfirmed(t *testing.T, e *authEnv, c cred) {
	t.Helper()
	for _, url := range []string{"/maven/acme/repo/com/acme/lib/1.0/lib-1.0.jar", "/v2/ghcr/acme/app/manifests/v1"} {
		r := e.do("GET", url, c.basic(), nil, "Accept", ociAccept)
		if r.status != 503 || !bytes.Contains(r.body, []byte("cannot confirm access")) || bytes.Contains(r.body, mavenJar) {
			t.Errorf("never-confirmed caller, GET %s with the upstream down: %d %.200s, want 503 saying access cannot be confirmed", url, r.status, r.body)
		}
	}
}

// staleServed checks that what the builds read with the upstream down was marked
// stale and counted.
func staleServed(t *testing.T, e *authEnv) {
	t.Helper()
	r := e.do("GET", "/maven/acme/repo/com/acme/lib/1.0/lib-1.0.jar", e.creds["read"].basic(), nil)
	if r.status != 200 || r.header.Get("X-Hoard-Cache") != "stale" || !strings.HasPrefix(r.header.Get("Warning"), "111 ") {
		t.Errorf("confirmed caller with the upstream down: %d, X-Hoard-Cache %q, Warning %q; want 200 stale with Warning 111",
			r.status, r.header.Get("X-Hoard-Cache"), r.header.Get("Warning"))
	}
	m := e.do("GET", "/metrics", "", nil)
	for _, want := range []string{`hoard_stale_access_total{kind="access",mount="maven"}`, `hoard_stale_access_total{kind="verdict",mount="npm"}`} {
		if !bytes.Contains(m.body, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// mvnBuildWithLib runs mvn package on the test project with a dependency on the
// private com.acme:lib:1.0, as c, with an empty local repository.
func mvnBuildWithLib(t *testing.T, hoardURL string, c cred) error {
	t.Helper()
	project := copyProject(t)
	pom := filepath.Join(project, "pom.xml")
	b, err := os.ReadFile(pom)
	if err != nil {
		t.Fatal(err)
	}
	dep := "<dependencies>\n    <dependency><groupId>com.acme</groupId><artifactId>lib</artifactId><version>1.0</version></dependency>"
	if err := os.WriteFile(pom, bytes.Replace(b, []byte("<dependencies>"), []byte(dep), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	repoURL := hoardURL + "/maven/acme/repo/"
	err = runTool(t, mvnTimeout, project, filepath.Join(t.TempDir(), "mvn.log"), nil, "mvn", "-B", "-ntp", "-C",
		"-s", authMavenSettings(t, repoURL, c), "-Dmaven.repo.local="+filepath.Join(t.TempDir(), "m2"), "package")
	if err == nil {
		assertTestsRan(t, filepath.Join(project, surefireReport))
	}
	return err
}

// npmInstallLib installs the private @acme/lib as c with an empty npm cache, and
// requires it.
func npmInstallLib(t *testing.T, hoardURL string, c cred) (string, error) {
	t.Helper()
	client := newNpmClient(t, hoardURL+"/npm/", c.tok)
	project := writeProject(t, map[string]string{"@acme/lib": "^1.0.0"})
	if out, err := client.run(project, "npm", "install", "--no-audit", "--no-fund"); err != nil {
		return out, err
	}
	out, err := client.run(project, "node", "-p", `require("@acme/lib")`)
	if err == nil && strings.TrimSpace(out) != "@acme/lib@1.0.0" {
		return out, os.ErrInvalid
	}
	return out, err
}
