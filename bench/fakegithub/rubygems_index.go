package fakegithub

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// gemOwner is one owner's gem registry: its gems and its append-only /versions.
type gemOwner struct {
	gems     map[string][]*rubyGem // by name, in push order
	versions []byte                // /versions: a header, then one line per change
}

func newGemOwner(now time.Time) *gemOwner {
	return &gemOwner{
		gems:     map[string][]*rubyGem{},
		versions: []byte("created_at: " + now.UTC().Format(time.RFC3339) + "\n---\n"),
	}
}

// find is a version of a gem by its release (VERSION[-PLATFORM]), yanked or not.
func (o *gemOwner) find(name, release string) *rubyGem {
	for _, g := range o.gems[name] {
		if g.release() == release {
			return g
		}
	}
	return nil
}

// info is /info/NAME: one line per version not yanked, as rubygems.org writes it
// (compact index v2, with created_at).
func (o *gemOwner) info(name string) []byte {
	var b strings.Builder
	b.WriteString("---\n")
	for _, g := range o.gems[name] {
		if g.yanked {
			continue
		}
		var deps []string
		for _, d := range g.deps {
			deps = append(deps, d.name+":"+d.req)
		}
		b.WriteString(g.release() + " " + strings.Join(deps, ",") + "|checksum:" + g.sha256)
		if g.ruby != "" {
			b.WriteString(",ruby:" + g.ruby)
		}
		if g.rubygems != "" {
			b.WriteString(",rubygems:" + g.rubygems)
		}
		b.WriteString(",created_at:" + g.created.UTC().Format(time.RFC3339) + "\n")
	}
	return []byte(b.String())
}

// appendVersions adds the line a push (or, with "-", a yank) of g appends to
// /versions: the gem, the release, and the MD5 of its /info as it is now.
func (o *gemOwner) appendVersions(g *rubyGem, yank bool) {
	release := g.release()
	if yank {
		release = "-" + release
	}
	sum := md5.Sum(o.info(g.name))
	o.versions = append(o.versions, g.name+" "+release+" "+hex.EncodeToString(sum[:])+"\n"...)
}

// names is /names: every gem with a version not yanked, sorted.
func (o *gemOwner) names() []byte {
	var out []string
	for name := range o.gems {
		if o.live(name) != nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return []byte("---\n" + strings.Join(out, "\n") + "\n")
}

func (o *gemOwner) live(name string) []*rubyGem {
	var out []*rubyGem
	for _, g := range o.gems[name] {
		if !g.yanked {
			out = append(out, g)
		}
	}
	return out
}

// specs is one of the full index's files: gzipped Marshal of [name, Gem::Version,
// platform] for every release (specs), every prerelease (prerelease_specs), or
// the latest release of each gem and platform (latest_specs).
func (o *gemOwner) specs(file string) []byte {
	var names []string
	for name := range o.gems {
		names = append(names, name)
	}
	sort.Strings(names)
	var tuples []any
	for _, name := range names {
		latest := map[string]*rubyGem{}
		for _, g := range o.live(name) {
			switch {
			case file == "prerelease_specs.4.8.gz" && g.prerelease():
				tuples = append(tuples, []any{g.name, gemVersionObj(g.version), g.platform})
			case file == "specs.4.8.gz" && !g.prerelease():
				tuples = append(tuples, []any{g.name, gemVersionObj(g.version), g.platform})
			case file == "latest_specs.4.8.gz" && !g.prerelease():
				latest[g.platform] = g // push order stands in for version order here
			}
		}
		for _, g := range latest {
			tuples = append(tuples, []any{g.name, gemVersionObj(g.version), g.platform})
		}
	}
	if tuples == nil {
		tuples = []any{}
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(rubyMarshal(tuples))
	zw.Close()
	return b.Bytes()
}

// dependencies is the dependency API's answer for names: Marshal of one hash per
// version not yanked.
func (o *gemOwner) dependencies(names []string) []byte {
	out := []any{}
	for _, name := range names {
		for _, g := range o.live(name) {
			deps := []any{}
			for _, d := range g.deps {
				deps = append(deps, []any{d.name, strings.ReplaceAll(d.req, "&", ", ")})
			}
			out = append(out, rbHash{
				{rbSymbol("name"), g.name}, {rbSymbol("number"), g.version},
				{rbSymbol("platform"), g.platform}, {rbSymbol("dependencies"), deps},
			})
		}
	}
	return rubyMarshal(out)
}
