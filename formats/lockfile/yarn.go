package lockfile

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// parseYarn reads yarn.lock: berry's is YAML with a __metadata key; classic's is
// yarn's own indented format.
func parseYarn(data []byte, l *List) error {
	if strings.Contains(string(data), "\n__metadata:") || strings.HasPrefix(string(data), "__metadata:") {
		return parseYarnBerry(data, l)
	}
	parseYarnClassic(data, l)
	return nil
}

// parseYarnClassic reads entries of the form
//
//	"@scope/a@^1.0.0", "@scope/a@^1.1.0":
//	  version "1.2.0"
//	  resolved "https://..."
func parseYarnClassic(data []byte, l *List) {
	name := ""
	for _, ln := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(ln, "#") || strings.TrimSpace(ln) == "" {
			continue
		}
		if !strings.HasPrefix(ln, " ") {
			name = yarnSpecName(strings.TrimSuffix(strings.TrimSpace(ln), ":"))
			continue
		}
		t := strings.TrimSpace(ln)
		if v, ok := strings.CutPrefix(t, "version "); ok && name != "" && strings.HasPrefix(ln, "  ") && !strings.HasPrefix(ln, "   ") {
			addNpm(l, name, strings.Trim(v, `"`), false)
			name = ""
		}
	}
}

// yarnSpecName is the package a header's first spec resolves: "a@^1" is a,
// "alias@npm:real@^1" is real.
func yarnSpecName(header string) string {
	spec, _, _ := strings.Cut(header, ",")
	spec = strings.Trim(strings.TrimSpace(spec), `"`)
	i := strings.LastIndex(spec, "@")
	if i <= 0 {
		return ""
	}
	name, rng := spec[:i], spec[i+1:]
	if j := strings.Index(spec, "@npm:"); j > 0 {
		// alias: the real name sits between "npm:" and its own "@range"
		real := spec[j+len("@npm:"):]
		if k := strings.LastIndex(real, "@"); k > 0 {
			return real[:k]
		}
		return name
	}
	if strings.Contains(rng, ":") && !strings.HasPrefix(rng, "npm:") {
		return "" // file:, link:, git: and tarball URLs
	}
	return name
}

type berryEntry struct {
	Version    string `yaml:"version"`
	Resolution string `yaml:"resolution"`
}

// parseYarnBerry reads the "resolution" of each entry: "name@npm:1.2.3" is a
// registry package; workspace:, patch:, link: and the like are skipped.
func parseYarnBerry(data []byte, l *List) error {
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	for key, node := range doc {
		if key == "__metadata" {
			continue
		}
		var e berryEntry
		if node.Decode(&e) != nil {
			continue
		}
		i := strings.LastIndex(e.Resolution, "@npm:")
		if i <= 0 {
			l.Skipped = append(l.Skipped, quoteShort(e.Resolution)+": not from a registry")
			continue
		}
		addNpm(l, e.Resolution[:i], e.Resolution[i+len("@npm:"):], false)
	}
	return nil
}
