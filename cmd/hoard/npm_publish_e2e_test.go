package main_test

// npm publishing end to end: the real npm publishes, tags, deprecates and unpublishes
// through hoard to Verdaccio, and each change is visible to the very next install
// through hoard, though packuments stay fresh in its cache for an hour.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"hoard/bench/npmreg"
)

// writePackage writes a package whose index.js exports "NAME@VERSION".
func writePackage(t *testing.T, dir, name, version string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"name": name, "version": version, "main": "index.js", "license": "MIT"})
	files := map[string]string{"package.json": string(b), "index.js": "module.exports = \"" + name + "@" + version + "\";\n"}
	for f, body := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// installOne installs name@spec through hoard from an empty client cache, with the
// publisher's token (what a published tarball hoard cached is checked against), and
// returns what the package exports, or the install's error.
func installOne(t *testing.T, registry, token, name, spec string) (string, string, error) {
	t.Helper()
	c := newNpmClient(t, registry, token)
	project := writeProject(t, map[string]string{name: spec})
	out, err := c.install(project, "npm")
	if err != nil {
		return "", out, err
	}
	got, err := c.run(project, "node", "-p", `require("`+name+`")`)
	return strings.TrimSpace(got), out, err
}

func mustInstall(t *testing.T, registry, token, name, spec, want string) string {
	t.Helper()
	got, out, err := installOne(t, registry, token, name, spec)
	if err != nil || got != want {
		t.Fatalf("install %s@%s: got %q, want %q; %v", name, spec, got, want, err)
	}
	return out
}

func TestNpmPublishThroughHoard(t *testing.T) {
	requireNpmTools(t)
	v, _ := startVerdaccio(t)
	h := startNpmHoard(t, "    upstream: "+v.URL)
	registry := h.URL + "/npm/"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// npm adduser's request, through hoard to Verdaccio.
	token, err := npmreg.AddUser(ctx, registry, "publisher", "publisher-secret")
	if err != nil {
		t.Fatalf("login through hoard: %v", err)
	}
	pub := newNpmClient(t, registry, token)
	pkg := t.TempDir()
	const name = "@hoard-p/tool"
	npm := func(args ...string) string {
		t.Helper()
		out, err := pub.run(pkg, "npm", args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	writePackage(t, pkg, name, "1.0.0")
	npm("publish", "--loglevel=http")
	mustInstall(t, registry, token, name, "latest", name+"@1.0.0") // the packument is now cached

	writePackage(t, pkg, name, "1.1.0")
	npm("publish")
	mustInstall(t, registry, token, name, "latest", name+"@1.1.0")

	npm("dist-tag", "add", name+"@1.0.0", "stable")
	mustInstall(t, registry, token, name, "stable", name+"@1.0.0")
	npm("dist-tag", "rm", name, "stable")
	if _, _, err := installOne(t, registry, token, name, "stable"); err == nil {
		t.Fatal("a removed dist-tag still installs")
	}

	npm("deprecate", name+"@1.0.0", "use 1.1 instead")
	if out := mustInstall(t, registry, token, name, "1.0.0", name+"@1.0.0"); !strings.Contains(out, "use 1.1 instead") {
		t.Errorf("installing a deprecated version did not warn:\n%s", out)
	}

	// A conflict from the upstream reaches the client unchanged.
	checkConflict(t, registry, v.URL, token, npmreg.Package{Name: name, Version: "1.1.0"})

	// npm catches a 404 from any of unpublish's four requests and reports success:
	// check that the tarball's delete, addressed by the path of the rewritten
	// dist.tarball, was taken by the upstream.
	if out := npm("unpublish", name+"@1.1.0", "--loglevel=http"); !regexp.MustCompile(
		`DELETE 20[01] \S+/npm/@hoard-p/tool/-/tool-1\.1\.0\.tgz/-rev/`).MatchString(out) {
		t.Errorf("unpublish did not delete the tarball upstream:\n%s", out)
	}
	mustInstall(t, registry, token, name, "latest", name+"@1.0.0")
	if _, _, err := installOne(t, registry, token, name, "1.1.0"); err == nil {
		t.Fatal("an unpublished version still installs")
	}
	npm("unpublish", name, "--force")
	if _, out, err := installOne(t, registry, token, name, "latest"); err == nil || !strings.Contains(out, "404") {
		t.Fatalf("an unpublished package still installs: %v\n%s", err, out)
	}

	// Unscoped, the same way in.
	unscoped := t.TempDir()
	writePackage(t, unscoped, "hoard-t-pub", "0.1.0")
	if _, err := pub.run(unscoped, "npm", "publish"); err != nil {
		t.Fatal(err)
	}
	mustInstall(t, registry, token, "hoard-t-pub", "^0.1.0", "hoard-t-pub@0.1.0")
}

// checkConflict publishes an existing version through hoard and straight to the
// upstream: the status and body must be the upstream's.
func checkConflict(t *testing.T, registry, upstream, token string, p npmreg.Package) {
	t.Helper()
	put := func(base string) (int, []byte) {
		tgz, err := p.Tarball()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := p.PublishBody(base, tgz)
		req, _ := http.NewRequest(http.MethodPut, strings.TrimSuffix(base, "/")+"/"+npmreg.EscapedName(p.Name), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	viaHoard, hoardBody := put(registry)
	direct, directBody := put(upstream)
	if viaHoard != http.StatusConflict || viaHoard != direct || !bytes.Equal(hoardBody, directBody) {
		t.Errorf("republish: hoard %d %s, upstream %d %s", viaHoard, hoardBody, direct, directBody)
	}
}
