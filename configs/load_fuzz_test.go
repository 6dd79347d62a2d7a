package configs

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzConfigLoad: whatever a configuration file holds, loading and validating it
// returns a configuration or an error, never a panic; a file that loads once loads
// the same way again.
func FuzzConfigLoad(f *testing.F) {
	// The example configurations shipped in the tree.
	files, _ := filepath.Glob("*.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"listen: \":8080\"\nmounts:\n  - name: npm\n    format: npm\n    upstreams: [\"http://127.0.0.1:4873\"]\n",
		"mounts: [{name: x, format: maven, upstreams: [\"file:///etc\"]}]", "listen: [1", "a: &a [*a]", "~", "mounts: 7",
		"cache:\n  max_size: 10XB\n", "mounts:\n  - {name: ../x, format: npm}\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	known := func(format string) bool { return format == "maven" || format == "npm" || format == "oci" }
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "hoard.yaml")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(p)
		if err != nil {
			return
		}
		again, err := Load(p)
		if err != nil {
			t.Fatalf("loaded once, then: %v", err)
		}
		verr := c.Validate(known)
		if (again.Validate(known) == nil) != (verr == nil) {
			t.Fatalf("validation of one file differs between loads")
		}
	})
}
