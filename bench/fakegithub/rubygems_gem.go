package fakegithub

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// rubyGem is one pushed version of a gem on one platform.
type rubyGem struct {
	name, version, platform string
	file                    []byte // the .gem
	sha256                  string
	deps                    []gemDep // runtime dependencies
	ruby, rubygems          string   // required versions, as /info writes them ("" for any)
	created                 time.Time
	quick                   []byte // quick/Marshal.4.8 spec, deflated; nil when none was made
	yanked                  bool
}

type gemDep struct{ name, req string }

// fullName is NAME-VERSION[-PLATFORM], as file names and /info lines carry it.
func (g *rubyGem) fullName() string {
	if g.platform == "" || g.platform == "ruby" {
		return g.name + "-" + g.version
	}
	return g.name + "-" + g.version + "-" + g.platform
}

// release is VERSION[-PLATFORM], how /info and /versions name the gem.
func (g *rubyGem) release() string {
	return strings.TrimPrefix(g.fullName(), g.name+"-")
}

func (g *rubyGem) prerelease() bool { return strings.IndexFunc(g.version, isLetterRune) >= 0 }

func isLetterRune(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// gemSpec is what the registry reads of a gem's specification (metadata.gz).
type gemSpec struct {
	Name    string `yaml:"name"`
	Version struct {
		Version string `yaml:"version"`
	} `yaml:"version"`
	Platform     string `yaml:"platform"`
	Dependencies []struct {
		Name        string         `yaml:"name"`
		Requirement gemRequirement `yaml:"requirement"`
		Type        string         `yaml:"type"`
	} `yaml:"dependencies"`
	RequiredRuby     gemRequirement `yaml:"required_ruby_version"`
	RequiredRubygems gemRequirement `yaml:"required_rubygems_version"`
}

// gemRequirement is a Gem::Requirement: pairs of an operator and a Gem::Version.
type gemRequirement struct {
	Requirements [][]any `yaml:"requirements"`
}

// compact writes the requirement as the compact index does: sorted, joined by
// '&' ("< 2&>= 1.0"); "" for ">= 0", which any version meets.
func (r gemRequirement) compact() string {
	var parts []string
	for _, pair := range r.Requirements {
		if len(pair) != 2 {
			continue
		}
		op, _ := pair[0].(string)
		var v string
		switch x := pair[1].(type) {
		case map[string]any:
			v = fmt.Sprint(x["version"])
		default:
			v = fmt.Sprint(x)
		}
		parts = append(parts, op+" "+v)
	}
	sort.Strings(parts)
	s := strings.Join(parts, "&")
	if s == ">= 0" {
		return ""
	}
	return s
}

// parseGem reads a .gem as a registry does on push: a tar with metadata.gz.
func parseGem(file []byte) (*rubyGem, error) {
	tr := tar.NewReader(bytes.NewReader(file))
	var spec []byte
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errors.New("not a gem")
		}
		if hdr.Name == "metadata.gz" {
			zr, err := gzip.NewReader(tr)
			if err != nil {
				return nil, errors.New("metadata.gz is not gzip")
			}
			if spec, err = io.ReadAll(io.LimitReader(zr, 1<<20)); err != nil {
				return nil, errors.New("metadata.gz is corrupt")
			}
		}
	}
	var s gemSpec
	if spec == nil || yaml.Unmarshal(spec, &s) != nil || s.Name == "" || s.Version.Version == "" {
		return nil, errors.New("the gem has no readable specification")
	}
	sum := sha256.Sum256(file)
	g := &rubyGem{
		name: s.Name, version: s.Version.Version, platform: s.Platform, file: file, sha256: hex.EncodeToString(sum[:]),
		ruby: s.RequiredRuby.compact(), rubygems: s.RequiredRubygems.compact(),
	}
	if g.platform == "" {
		g.platform = "ruby"
	}
	for _, d := range s.Dependencies {
		if d.Type == ":runtime" || d.Type == "" {
			req := d.Requirement.compact()
			if req == "" {
				req = ">= 0"
			}
			g.deps = append(g.deps, gemDep{d.Name, req})
		}
	}
	return g, nil
}
