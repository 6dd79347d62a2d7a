package proxy

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Imports point one way: cmd -> proxy -> {formats, policy} -> cache, and cache
// imports nothing of Hoard's. The engine knows no format by name: proxy imports
// formats, never a formats/<name> package (cmd wires those in), so what it needs of
// a protocol it asks through the interfaces in formats. go list sees what the
// compiler sees, so a stray import fails here rather than in review.
func TestImportDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	cases := []struct {
		pkgs      string
		forbidden func(dep string) bool
	}{
		{"hoard/cache", func(dep string) bool { return dep != "hoard/cache" && isHoard(dep) }},
		// The shared blob tier knows the cache only; the engine knows it through
		// the SharedTier interface, and cmd wires the two.
		{"hoard/cache/...", func(dep string) bool { return isHoard(dep) && !under(dep, "hoard/cache") }},
		{"hoard/proxy", func(dep string) bool {
			return strings.HasPrefix(dep, "hoard/formats/") || under(dep, "hoard/cache/fleet")
		}},
		// The upstream transport knows no cache and no protocol: retries, breaker,
		// credentials and redirects, configured from configs.
		{"hoard/proxy/upstream", func(dep string) bool {
			return isHoard(dep) && dep != "hoard/proxy/upstream" && dep != "hoard/configs"
		}},
		// Admission decides and remembers, and the engine answers and asks the
		// upstream for it: it knows cache, configs, formats and policy, never the
		// engine, the upstream transport or a protocol by name.
		{"hoard/proxy/admission", func(dep string) bool {
			return under(dep, "hoard/proxy") && dep != "hoard/proxy/admission" ||
				strings.HasPrefix(dep, "hoard/formats/") || under(dep, "hoard/cmd") || under(dep, "hoard/bench")
		}},
		// The registry token dance is a transport a format names; it knows nothing
		// of Hoard's, so formats never reach back into proxy through it.
		{"hoard/formats/internal/regtoken", func(dep string) bool {
			return isHoard(dep) && dep != "hoard/formats/internal/regtoken"
		}},
		{"hoard/formats/...", func(dep string) bool {
			return under(dep, "hoard/proxy") || under(dep, "hoard/cmd") || under(dep, "hoard/bench")
		}},
		{"hoard/policy/...", func(dep string) bool {
			return under(dep, "hoard/proxy") || under(dep, "hoard/cmd") || under(dep, "hoard/bench")
		}},
	}
	for _, c := range cases {
		for _, dep := range listDeps(t, c.pkgs) {
			if c.forbidden(dep) {
				t.Errorf("%s depends on %s", c.pkgs, dep)
			}
		}
	}
}

// The house has these rooms and no others: a new package goes inside one of
// them (an upstream-facing helper under proxy/, a protocol under formats/),
// so the one-way rules above keep covering it.
func TestHouseLayout(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	rooms := map[string]bool{"cmd": true, "proxy": true, "cache": true, "formats": true, "policy": true, "configs": true, "bench": true}
	for _, pkg := range listPackages(t, "hoard/...") {
		room, _, _ := strings.Cut(strings.TrimPrefix(pkg, "hoard/"), "/")
		if pkg == "hoard" || !rooms[room] {
			t.Errorf("package %s sits outside the house layout (cmd, proxy, cache, formats, policy, configs, bench)", pkg)
		}
	}
}

// under reports whether pkg is root or a package beneath it.
func under(pkg, root string) bool { return pkg == root || strings.HasPrefix(pkg, root+"/") }

func isHoard(pkg string) bool { return pkg == "hoard" || strings.HasPrefix(pkg, "hoard/") }

func listDeps(t *testing.T, pkgs string) []string {
	t.Helper()
	return goList(t, "-deps", pkgs)
}

func listPackages(t *testing.T, pattern string) []string {
	t.Helper()
	return goList(t, pattern)
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.Fields(string(out))
}
