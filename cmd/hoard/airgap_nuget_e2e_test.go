package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/fakegithub"
)

// TestAirGapNuGet: a packages.lock.json warms a connected hoard in front of
// GitHub's NuGet registry; carried across, an offline --auth local site serves
// NuGet.exe's install with its dependency, from fresh caches.
func TestAirGapNuGet(t *testing.T) {
	requireNuGetExe(t)
	e := startNuGetEnv(t)
	e.seed(
		fakegithub.NuGetPackage("Hoard.Dep", "1.1.0"),
		fakegithub.NuGetPackage("Hoard.App", "1.0.0", fakegithub.NuGetDep{ID: "Hoard.Dep", Range: "[1.1.0, )"}),
	)
	lock := filepath.Join(t.TempDir(), "packages.lock.json")
	os.WriteFile(lock, []byte(`{"version": 1, "dependencies": {"net8.0": {
  "Hoard.App": {"type": "Direct", "requested": "[1.0.0, )", "resolved": "1.0.0"},
  "Hoard.Dep": {"type": "Transitive", "resolved": "1.1.0"}}}}`), 0o644)
	out, err := adminCmd(t, e.h, "warm", "--mount", "nuget", "--path-prefix", "acme", "--token", "alice:"+e.token, lock)
	if err != nil || !strings.Contains(out, " 0 failed") {
		t.Fatalf("warm: %v\n%s", err, out)
	}
	bundle := filepath.Join(t.TempDir(), "nuget.bundle")
	if out, err := adminCmd(t, e.h, "export", "--out", bundle, "--mount", "nuget"); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	e.h.Stop()
	e.gh.Close()

	site := startHoard(t, t.TempDir(), "--offline", "--auth", "local", "--mount", "nuget=nuget,http://127.0.0.1:9/")
	if out, err := adminCmd(t, site, "import", bundle); err != nil || !strings.Contains(out, "pointed at this site") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = hoardCmd(t, "token", "create", "--data-dir", site.DataDir, "--name", "builds", "--scopes", "read:packages", "--namespaces", "*")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	e.token = strings.TrimSpace(out) // the site's clients use a local token
	time.Sleep(3 * time.Second)      // the daemon reads new tokens within two seconds
	got, log, err := e.newClient(site.URL+"/nuget/acme/index.json").install("Hoard.App", "-Version", "1.0.0")
	if err != nil || !hasDirs(got, "Hoard.App.1.0.0", "Hoard.Dep.1.1.0") {
		t.Fatalf("offline install gave %v: %v\n%s", got, err, lastLines(log, 40))
	}
}
