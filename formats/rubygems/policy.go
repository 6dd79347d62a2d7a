package rubygems

import (
	"strings"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

// What the operator's policy may ask of RubyGems.
var (
	_ formats.Gated         = Format{}
	_ formats.VersionFilter = Format{}
	_ formats.ReleaseDater  = Format{}
	_ formats.IndexFilter   = Format{}
)

// VersionScheme implements formats.Gated.
func (Format) VersionScheme() gate.Scheme { return Versions{} }

// Subject implements formats.Gated. Names are gem names as a Gemfile writes them
// (without a GitHub owner's prefix). /info/NAME names the gem; a .gem or its
// quick/ specification also the version, read from the file name (its platform
// aside). The indexes name no gem: they are filtered gem by gem (FilterIndex).
func (Format) Subject(rt formats.Route) (name, version string, ok bool) {
	switch {
	case rt.Kind == formats.Metadata && rt.TTLClass == "info":
		return gemOf(rt.Package), "", true
	case rt.Kind != formats.Artifact:
		return "", "", false
	}
	_, file := formats.CutLast(rt.Key)
	stem := strings.TrimSuffix(strings.TrimSuffix(file, ".gem"), ".gemspec.rz")
	names := splitFullName(stem)
	if len(names) == 0 {
		return "", "", false
	}
	v, _, _ := strings.Cut(names[0].release, "-")
	return names[0].name, v, true
}

// gemOf is the gem's name of a route's Package ("OWNER/NAME" or "NAME").
func gemOf(pkg string) string { return pkg[strings.LastIndexByte(pkg, '/')+1:] }

// DatingRoute implements formats.ReleaseDater: a .gem's version is dated by its
// gem's /info (compact index v2 writes created_at on each line).
func (Format) DatingRoute(rt formats.Route) (formats.Route, bool) {
	if rt.Kind != formats.Artifact {
		return formats.Route{}, false
	}
	dir, _ := formats.CutLast(rt.Key) // PREFIX/gems or PREFIX/quick/Marshal.4.8
	dir = strings.TrimSuffix(strings.TrimSuffix(dir, "gems"), "quick/Marshal.4.8")
	name, _, ok := (Format{}).Subject(rt)
	if !ok {
		return formats.Route{}, false
	}
	return infoRoute(splitPrefix(dir), name), true
}

// ReleaseTimes implements formats.ReleaseDater: each version's created_at in an
// /info document; versions of a v1 index, which states none, are absent.
func (Format) ReleaseTimes(doc []byte) map[string]time.Time {
	out := map[string]time.Time{}
	for _, l := range infoLines(doc) {
		if !l.created.IsZero() {
			out[l.version] = l.created
		}
	}
	return out
}

// FilterVersions implements formats.VersionFilter for /info/NAME: the line of
// every refused version (each platform's) goes; the rest stays byte for byte.
// A line's release time is its created_at. The document's ETag and Repr-Digest
// are made from the filtered bytes (DocumentHeaders), and /versions names their
// MD5 (FilterIndex), so bundler finds its copy consistent.
func (Format) FilterVersions(rt formats.Route, doc []byte, judge func(string, time.Time) gate.Reason) ([]byte, []formats.Hidden, error) {
	if rt.TTLClass != "info" {
		return doc, nil, nil
	}
	verdicts := map[string]gate.Reason{}
	var hidden []formats.Hidden
	for _, l := range infoLines(doc) {
		if _, judged := verdicts[l.version]; judged {
			continue
		}
		reason := judge(l.version, l.created)
		verdicts[l.version] = reason
		if reason.Refused() {
			hidden = append(hidden, formats.Hidden{Version: l.version, Reason: reason})
		}
	}
	if len(hidden) == 0 {
		return doc, nil, nil
	}
	var b strings.Builder
	b.Grow(len(doc))
	for line := range strings.SplitAfterSeq(string(doc), "\n") {
		if v, ok := lineVersion(line); ok && verdicts[v].Refused() {
			continue
		}
		b.WriteString(line)
	}
	return []byte(b.String()), hidden, nil
}

// datedLine is what the policy reads of an /info line.
type datedLine struct {
	version string // without the platform
	created time.Time
}

func infoLines(doc []byte) []datedLine {
	var out []datedLine
	for line := range strings.SplitSeq(string(doc), "\n") {
		v, ok := lineVersion(line)
		if !ok {
			continue
		}
		_, fields, _ := strings.Cut(line, " ")
		_, reqs, _ := strings.Cut(fields, "|")
		out = append(out, datedLine{version: v, created: createdAt(reqs)})
	}
	return out
}

// lineVersion is the version (platform aside) of an /info version line.
func lineVersion(line string) (string, bool) {
	release, _, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
	if !ok || !validRelease(release) {
		return "", false
	}
	v, _, _ := strings.Cut(release, "-")
	return v, true
}

// createdAt reads created_at among a line's requirements (compact index v2);
// zero when absent or unreadable.
func createdAt(reqs string) time.Time {
	for field := range strings.SplitSeq(reqs, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(field), "created_at:"); ok {
			for _, layout := range createdLayouts {
				if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
					return t
				}
			}
			return time.Time{}
		}
	}
	return time.Time{}
}

// createdLayouts are the spellings of created_at servers use: ISO 8601, and
// Ruby's Time#to_s.
var createdLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05 MST", "2006-01-02 15:04:05 -0700"}
