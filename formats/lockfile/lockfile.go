// Package lockfile reads the files that name what a build needs (npm, yarn and
// pnpm lockfiles, Gradle lockfiles, Maven coordinate lists, Gemfile.lock, NuGet's
// packages.lock.json, image lists) into neutral lists of packages by name and
// version. A lockfile's resolved URLs are ignored: what it names is looked up in the
// mount that warms it, whatever registry the file was resolved against.
// It imports nothing of Hoard's.
package lockfile

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Formats a list can be for: the mount format that serves it.
const (
	NPM      = "npm"
	Maven    = "maven"
	OCI      = "oci"
	RubyGems = "rubygems"
	NuGet    = "nuget"
)

// Package is one thing to fetch by name and version.
type Package struct {
	Name    string // npm "@scope/name"; Maven "group:artifact"; a gem, a NuGet id
	Version string
	// Type and Classifier are a Maven artifact's extension ("jar" when empty) and
	// classifier; Platform a gem's platform ("" for pure Ruby).
	Type, Classifier, Platform string
}

func (p Package) String() string {
	s := p.Name + "@" + p.Version
	if p.Classifier != "" {
		s += ":" + p.Classifier
	}
	if p.Type != "" {
		s += ":" + p.Type
	}
	if p.Platform != "" {
		s += "-" + p.Platform
	}
	return s
}

// List is what one file names.
type List struct {
	File     string
	Format   string    // the mount format that serves it
	Packages []Package // for package formats, deduplicated and sorted
	Images   []string  // for OCI: references, by tag or digest, without a registry host
	// Skipped are entries that name no registry package (links, workspaces, git or
	// file dependencies), each with the reason.
	Skipped []string
}

// maxFile bounds what one file may hold: the largest real lockfiles are a few MB.
const maxFile = 64 << 20

// ErrUnknown: the file is none of the kinds read here.
var ErrUnknown = errors.New("not a known lockfile or list")

// Parse reads one file, recognised by its name and, for lists, by its content.
func Parse(name string, data []byte) (List, error) {
	if len(data) > maxFile {
		return List{}, fmt.Errorf("%s: larger than %d MiB", name, maxFile>>20)
	}
	parse, format := parserFor(name, data)
	if parse == nil {
		return List{}, fmt.Errorf("%s: %w", name, ErrUnknown)
	}
	l := List{File: name, Format: format}
	if err := parse(data, &l); err != nil {
		return List{}, fmt.Errorf("%s: %w", name, err)
	}
	l.Packages = dedup(l.Packages)
	return l, nil
}

type parser func(data []byte, l *List) error

// parserFor picks the reader by the file's base name; a list with another name is
// a Maven coordinate list when every line is one, else an image list.
func parserFor(name string, data []byte) (parser, string) {
	switch base := filepath.Base(name); {
	case base == "package-lock.json" || base == "npm-shrinkwrap.json":
		return parseNpmLock, NPM
	case base == "yarn.lock":
		return parseYarn, NPM
	case base == "pnpm-lock.yaml":
		return parsePnpm, NPM
	case base == "gradle.lockfile" || strings.HasSuffix(base, ".lockfile"):
		return parseGradle, Maven
	case base == "Gemfile.lock" || strings.HasSuffix(base, ".gemfile.lock"):
		return parseGemfileLock, RubyGems
	case base == "packages.lock.json":
		return parseNuGetLock, NuGet
	}
	if looksLikeMavenList(data) {
		return parseMavenList, Maven
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, ""
	}
	return parseImageList, OCI
}

func dedup(ps []Package) []Package {
	seen := map[Package]bool{}
	out := ps[:0]
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// lines yields each line without its comment and surrounding space, skipping
// blank ones.
func lines(data []byte, comment string) []string {
	var out []string
	for _, ln := range strings.Split(string(data), "\n") {
		if comment != "" {
			if i := strings.Index(ln, comment); i >= 0 {
				ln = ln[:i]
			}
		}
		if ln = strings.TrimSpace(ln); ln != "" {
			out = append(out, ln)
		}
	}
	return out
}

// registryVersion reports whether v is a version a registry serves, not a URL,
// path, git reference or workspace link.
func registryVersion(v string) bool {
	if v == "" || len(v) > 256 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-.+_~", c) >= 0) {
			return false
		}
	}
	return v[0] != '.'
}
