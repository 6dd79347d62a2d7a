package lockfile

import (
	"strings"
	"testing"
)

// FuzzParse: no input panics, and every package or image accepted is safe to put
// in a request path.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "gradle.lockfile", "Gemfile.lock", "packages.lock.json", "list.txt"} {
		f.Add(name, `{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0"}}}`)
		f.Add(name, "a@^1:\n  version \"1.0.0\"\n")
		f.Add(name, "GEM\n  specs:\n    rack (3.0.8)\n")
		f.Add(name, "g:a:1.0\nlibrary/alpine:3\n")
	}
	names := []string{"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "gradle.lockfile", "Gemfile.lock", "packages.lock.json", "list.txt"}
	f.Fuzz(func(t *testing.T, name, data string) {
		l, err := Parse(names[len(name)%len(names)], []byte(data))
		if err != nil {
			return
		}
		for _, p := range l.Packages {
			for _, s := range []string{p.Name, p.Version, p.Type, p.Classifier, p.Platform} {
				if strings.Contains(s, "..") && !strings.Contains(s, "...") && (s == ".." || strings.Contains(s, "/..") || strings.Contains(s, "../")) {
					t.Fatalf("traversal in %q", s)
				}
				if strings.ContainsAny(s, "\\\x00?# ") {
					t.Fatalf("unsafe character in %q", s)
				}
			}
		}
	})
}
