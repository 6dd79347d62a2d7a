package warm

import (
	"sort"
	"strings"
)

// planRubyGems asks for what bundler reads from a compact index: /versions once,
// each gem's /info/NAME, and each locked version's .gem (with its platform); and
// the gemspec gem install reads, where the repository has one.
func planRubyGems(r *run, t Target) {
	base := "/" + t.Mount
	if p := strings.Trim(t.Prefix, "/"); p != "" {
		base += "/" + p
	}
	r.do(request{what: "versions index", path: base + "/versions", optional: true})
	names := map[string]bool{}
	for _, p := range t.List.Packages {
		names[p.Name] = true
		file := p.Name + "-" + p.Version
		if p.Platform != "" {
			file += "-" + p.Platform
		}
		what := p.Name + " " + p.Version
		r.do(request{what: what, path: base + "/gems/" + file + ".gem"})
		r.do(request{what: what + " gemspec", path: base + "/quick/Marshal.4.8/" + file + ".gemspec.rz", optional: true})
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		r.do(request{what: n + " info", path: base + "/info/" + n})
	}
}
