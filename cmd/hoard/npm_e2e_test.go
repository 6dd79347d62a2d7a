package main_test

// npm end to end: the real npm, pnpm and yarn install a generated dependency tree of
// more than 50 packages through the real hoard binary, whose only upstream is a
// Verdaccio holding them (no uplinks). A counting proxy between hoard and Verdaccio
// shows that warm installs cost the upstream nothing; then Verdaccio is stopped and
// every client installs again, from a fresh client cache, entirely from hoard.

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"hoard/bench/npmreg"
)

var npmPrefixes = []string{"hoard-t-", "@hoard-a/", "@hoard-b/"}

// npmTree is the generated registry content: 20 leaves with four versions (2.0.0
// latest, a 3.0.0 prerelease on the "next" tag), 15 mids depending on leaves by
// range, ten @hoard-a libraries depending on mids and on ten @hoard-b libraries, and
// @hoard-a/same and @hoard-b/same, whose tarballs have the same file name.
func npmTree() []npmreg.Package {
	var pkgs []npmreg.Package
	leaf := func(i int) string { return fmt.Sprintf("hoard-t-leaf-%02d", i%20) }
	mid := func(i int) string { return fmt.Sprintf("hoard-t-mid-%02d", i%15) }
	for i := range 20 {
		for _, v := range []string{"1.0.0", "1.1.0", "2.0.0"} {
			pkgs = append(pkgs, npmreg.Package{Name: leaf(i), Version: v})
		}
		pkgs = append(pkgs, npmreg.Package{Name: leaf(i), Version: "3.0.0-beta.1", Tag: "next"})
	}
	for i := range 15 {
		deps := map[string]string{leaf(i): "^1.0.0", leaf(i + 5): "^2.0.0", leaf(i + 10): "~1.1.0"}
		for _, v := range []string{"1.0.0", "1.1.0"} {
			pkgs = append(pkgs, npmreg.Package{Name: mid(i), Version: v, Dependencies: deps})
		}
	}
	for i := range 10 {
		b := fmt.Sprintf("@hoard-b/lib-%02d", i)
		for _, v := range []string{"1.0.0", "1.0.1"} {
			pkgs = append(pkgs, npmreg.Package{Name: b, Version: v, Dependencies: map[string]string{leaf(i + 10): "^2.0.0"}})
		}
		a := fmt.Sprintf("@hoard-a/lib-%02d", i)
		deps := map[string]string{mid(i): "^1.0.0", mid(i + 5): "^1.1.0", b: "^1.0.0"}
		pkgs = append(pkgs,
			npmreg.Package{Name: a, Version: "1.0.0", Dependencies: deps},
			npmreg.Package{Name: a, Version: "2.0.0", Dependencies: deps},
			npmreg.Package{Name: a, Version: "2.1.0-rc.0", Dependencies: deps, Tag: "next"})
	}
	pkgs = append(pkgs, npmreg.Package{Name: "@hoard-a/same", Version: "1.0.0"}, npmreg.Package{Name: "@hoard-b/same", Version: "1.0.0"})
	return pkgs
}

// npmTreeDeps is the application's package.json: ranges, exact versions and
// dist-tags, scoped and unscoped.
func npmTreeDeps() map[string]string {
	deps := map[string]string{"@hoard-a/same": "1.0.0", "@hoard-b/same": "latest", "hoard-t-leaf-19": "next", "hoard-t-mid-14": "1.0.0"}
	for i := range 10 {
		deps[fmt.Sprintf("@hoard-a/lib-%02d", i)] = "^2.0.0"
	}
	deps["@hoard-a/lib-00"] = "next"
	return deps
}

// npmTreeMust are resolutions every client must reach.
var npmTreeMust = []string{
	"@hoard-a/lib-00@2.1.0-rc.0", "@hoard-a/lib-01@2.0.0", "@hoard-b/lib-03@1.0.1", "hoard-t-leaf-19@3.0.0-beta.1",
	"hoard-t-leaf-00@1.1.0", "hoard-t-leaf-05@2.0.0", "hoard-t-mid-14@1.0.0", "hoard-t-mid-03@1.1.0",
	"@hoard-a/same@1.0.0", "@hoard-b/same@1.0.0",
}

func seedNpmTree(t *testing.T, registry, token string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	pkgs := npmTree()
	// One at a time, versions in order: Verdaccio is one Node process, and the last
	// publish of a package sets its latest tag.
	for _, p := range pkgs {
		if err := npmreg.Publish(ctx, registry, token, p); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("published %d package versions to verdaccio in %v", len(pkgs), time.Since(start).Round(time.Millisecond))
}

// checkTree asserts a client installed at least 50 packages, the expected versions,
// and both same-named tarballs with their own contents.
func checkTree(t *testing.T, c *npmClient, project, client string) {
	t.Helper()
	got := installed(t, project, npmPrefixes...)
	if len(got) < 50 {
		t.Errorf("%s installed %d packages, want at least 50: %v", client, len(got), keys(got))
	}
	for _, want := range npmTreeMust {
		if !got[want] {
			t.Errorf("%s did not install %s; installed %v", client, want, keys(got))
		}
	}
	out, err := c.run(project, "node", "-e", `console.log(require("@hoard-a/same") + " " + require("@hoard-b/same"))`)
	if err != nil || strings.TrimSpace(out) != "@hoard-a/same@1.0.0 @hoard-b/same@1.0.0" {
		t.Errorf("%s: same-named tarballs of two scopes: %q, %v", client, out, err)
	}
	t.Logf("%s installed %d packages", client, len(got))
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestNpmInstallTreeWarmAndOffline(t *testing.T) {
	requireNpmTools(t)
	v, token := startVerdaccio(t)
	seedNpmTree(t, v.URL, token)
	counter := startCounter(t, v.URL)
	h := startNpmHoard(t, "    upstream: "+counter.URL)
	registry := h.URL + "/npm/"
	project := writeProject(t, npmTreeDeps())

	// Cold: npm fills hoard's cache from Verdaccio.
	c := newNpmClient(t, registry, "")
	if _, err := c.install(project, "npm"); err != nil {
		t.Fatal(err)
	}
	checkTree(t, c, project, "npm")
	cold := counter.Requests()
	t.Logf("cold npm install: %d upstream requests", len(cold))
	if len(cold) == 0 {
		t.Fatal("the cold install reached no upstream: is the mount wired to the counter?")
	}

	// Warm: every client, each from an empty client cache, costs the upstream nothing.
	for _, client := range []string{"npm", "pnpm", "yarn"} {
		counter.Reset()
		c := newNpmClient(t, registry, "")
		if _, err := c.install(project, client); err != nil {
			t.Fatal(err)
		}
		checkTree(t, c, project, client)
		if reqs := counter.Requests(); len(reqs) != 0 {
			t.Errorf("warm %s install made %d upstream requests: %v", client, len(reqs), reqs)
		}
	}

	// Upstream gone: the same installs are served entirely from hoard.
	counter.Close()
	v.Stop()
	for _, client := range []string{"npm", "pnpm", "yarn"} {
		c := newNpmClient(t, registry, "")
		if _, err := c.install(project, client); err != nil {
			t.Fatalf("%s with the upstream stopped: %v", client, err)
		}
		checkTree(t, c, project, client)
	}
}
