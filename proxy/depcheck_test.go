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
		{"hoard/proxy", func(dep string) bool { return strings.HasPrefix(dep, "hoard/formats/") }},
		// The shared blob tier knows the cache only; the engine knows it through
		// the SharedTier interface, and cmd wires the two.
		{"hoard/fleet", func(dep string) bool { return isHoard(dep) && dep != "hoard/fleet" && dep != "hoard/cache" }},
		{"hoard/proxy", func(dep string) bool { return dep == "hoard/fleet" }},
		{"hoard/regtoken", func(dep string) bool { return isHoard(dep) && dep != "hoard/regtoken" }},
		{"hoard/upstream", func(dep string) bool {
			return isHoard(dep) && dep != "hoard/upstream" && dep != "hoard/configs"
		}},
		{"hoard/formats/...", func(dep string) bool {
			return dep == "hoard/proxy" || strings.HasPrefix(dep, "hoard/cmd") || strings.HasPrefix(dep, "hoard/bench")
		}},
		{"hoard/policy/...", func(dep string) bool {
			return dep == "hoard/proxy" || strings.HasPrefix(dep, "hoard/cmd") || strings.HasPrefix(dep, "hoard/bench")
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

func isHoard(pkg string) bool { return pkg == "hoard" || strings.HasPrefix(pkg, "hoard/") }

func listDeps(t *testing.T, pkgs string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "list", "-deps", pkgs).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v\n%s", pkgs, err, stderr)
	}
	return strings.Fields(string(out))
}
