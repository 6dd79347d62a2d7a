package main_test

// NuGet end to end: the real NuGet.exe 5.8 on mono installs packages through the
// real hoard binary from GitHub's NuGet registry (played by bench/fakegithub):
// a package with a dependency (resolved through the registration resource), a
// prerelease, then pushes a package, installs it, deletes it; each run with fresh
// client caches. Then the upstream stops, and the installs work again from hoard.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hoard/bench/fakegithub"
)

func TestNuGetExeThroughHoard(t *testing.T) {
	requireNuGetExe(t)
	e := startNuGetEnv(t)
	e.seed(
		fakegithub.NuGetPackage("Hoard.Dep", "1.0.0"),
		fakegithub.NuGetPackage("Hoard.Dep", "1.1.0"),
		fakegithub.NuGetPackage("Hoard.App", "1.0.0", fakegithub.NuGetDep{ID: "Hoard.Dep", Range: "[1.1.0, )"}),
		fakegithub.NuGetPackage("Hoard.App", "2.0.0-beta.1", fakegithub.NuGetDep{ID: "Hoard.Dep", Range: "1.0.0"}),
	)
	source := e.h.URL + "/nuget/acme/index.json"

	installs := func(when string) {
		t.Helper()
		got, log, err := e.newClient(source).install("Hoard.App", "-Version", "1.0.0")
		if err != nil || !hasDirs(got, "Hoard.App.1.0.0", "Hoard.Dep.1.1.0") {
			t.Fatalf("%s: install Hoard.App 1.0.0 gave %v (want it and Hoard.Dep 1.1.0): %v\n%s", when, got, err, lastLines(log, 40))
		}
		got, log, err = e.newClient(source).install("Hoard.App", "-PreRelease")
		if err != nil || !hasDirs(got, "Hoard.App.2.0.0-beta.1", "Hoard.Dep.1.0.0") {
			t.Fatalf("%s: install -PreRelease Hoard.App gave %v (want 2.0.0-beta.1 and Hoard.Dep 1.0.0): %v\n%s", when, got, err, lastLines(log, 40))
		}
	}
	installs("online")

	// Push through hoard with the API key, then install what was pushed.
	nupkg := filepath.Join(t.TempDir(), "Hoard.New.1.0.0.nupkg")
	if err := os.WriteFile(nupkg, fakegithub.NuGetPackage("Hoard.New", "1.0.0"), 0o644); err != nil {
		t.Fatal(err)
	}
	pusher := e.newClient(source)
	if log, err := pusher.run("push", nupkg, "-Source", "hoard", "-ApiKey", e.token); err != nil {
		t.Fatalf("push: %v\n%s", err, lastLines(log, 40))
	}
	if got, log, err := e.newClient(source).install("Hoard.New"); err != nil || !hasDirs(got, "Hoard.New.1.0.0") {
		t.Fatalf("install of the pushed package gave %v: %v\n%s", got, err, lastLines(log, 40))
	}
	// A second push of the same version: the registry's 409 reaches the client.
	log, err := pusher.run("push", nupkg, "-Source", "hoard", "-ApiKey", e.token)
	if err == nil || !strings.Contains(log, "409") && !strings.Contains(strings.ToLower(log), "conflict") {
		t.Errorf("re-push: want the upstream's 409, got %v\n%s", err, lastLines(log, 20))
	}

	// Delete through hoard: the next install from fresh caches finds nothing.
	if log, err := pusher.run("delete", "Hoard.New", "1.0.0", "-Source", "hoard", "-ApiKey", e.token); err != nil {
		t.Fatalf("delete: %v\n%s", err, lastLines(log, 40))
	}
	if got, log, err := e.newClient(source).install("Hoard.New", "-Version", "1.0.0"); err == nil || hasDirs(got, "Hoard.New.1.0.0") {
		t.Errorf("install after delete succeeded: %v\n%s", got, lastLines(log, 20))
	}

	// The upstream gone (its listener closed: connections refused): hoard serves
	// what it holds, to clients with fresh caches.
	e.gh.StopHost(fakegithub.NuGet)
	installs("upstream stopped")
}
