package rubygems

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

// IsIndex implements formats.IndexFilter: /versions, /names and the full
// index's specs files list every gem of a prefix.
func (Format) IsIndex(rt formats.Route) bool {
	return rt.Kind == formats.Metadata && (rt.TTLClass == "versions" || rt.TTLClass == "specs")
}

// PackageRoute implements formats.IndexFilter: /info/NAME next to the index.
func (Format) PackageRoute(rt formats.Route, name string) (formats.Route, bool) {
	if validName(name) != nil {
		return formats.Route{}, false
	}
	dir, _ := formats.CutLast(rt.Key)
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	return infoRoute(splitPrefix(prefix), name), true
}

// indexJudge is the policy's verdict on a gem or one of its versions.
type indexJudge = func(name, version string, released time.Time) gate.Reason

// FilterIndex implements formats.IndexFilter. /names loses every gem the policy
// refuses whole. /versions keeps their lines: bundler asks only for the /info
// of gems /versions lists, and that /info's refusal is what names the rule to
// the person running it (a gem missing from /versions is only "not found").
// For a gem whose /info Hoard holds and whose filtering hides versions, each
// of its lines loses those versions (a line left with none goes) and names the
// MD5 of /info as filtered, which is what bundler compares its copy with. A
// gem whose /info Hoard does not hold keeps its lines: a client fetching that
// /info gets it filtered.
func (Format) FilterIndex(rt formats.Route, doc []byte, judge indexJudge,
	packageDoc func(string) ([]byte, []formats.Hidden, bool)) ([]byte, []formats.Hidden, error) {
	if rt.TTLClass == "specs" {
		return filterSpecs(doc, judge, packageDoc)
	}
	names := strings.HasSuffix(rt.Key, "names")
	f := gemLineFilter{judge: judge, packageDoc: packageDoc, gems: map[string]*gemVerdict{}}
	var b strings.Builder
	b.Grow(len(doc))
	header := true
	for line := range strings.SplitAfterSeq(string(doc), "\n") {
		if header {
			// Up to "---" the file describes itself (created_at:).
			header = strings.TrimSuffix(line, "\n") != "---"
			b.WriteString(line)
			continue
		}
		if names {
			b.WriteString(f.nameLine(line))
		} else {
			b.WriteString(f.versionsLine(line))
		}
	}
	if header || len(f.hidden) == 0 { // no "---": not an index Hoard can read, kept as is
		return doc, nil, nil
	}
	return []byte(b.String()), f.hidden, nil
}

// gemVerdict is what the policy makes of one gem, found once per answer.
type gemVerdict struct {
	refused bool
	reason  gate.Reason     // why, when refused
	hide    map[string]bool // versions hidden from its /info
	md5     string          // of its /info as filtered, "" to keep the upstream's
}

type gemLineFilter struct {
	judge      indexJudge
	packageDoc func(string) ([]byte, []formats.Hidden, bool)
	gems       map[string]*gemVerdict
	hidden     []formats.Hidden
}

func (f *gemLineFilter) verdict(name string, versions bool) *gemVerdict {
	if v, ok := f.gems[name]; ok {
		return v
	}
	v := &gemVerdict{}
	f.gems[name] = v
	if reason := f.judge(name, "", time.Time{}); reason.Refused() {
		v.refused, v.reason = true, reason
		if !versions {
			f.hidden = append(f.hidden, formats.Hidden{Version: name, Reason: reason})
		}
		return v
	}
	if !versions {
		return v
	}
	doc, hidden, ok := f.packageDoc(name)
	if !ok || len(hidden) == 0 {
		return v
	}
	sum := md5.Sum(doc)
	v.md5 = hex.EncodeToString(sum[:])
	v.hide = map[string]bool{}
	for _, h := range hidden {
		v.hide[h.Version] = true
		f.hidden = append(f.hidden, formats.Hidden{Version: name + "@" + h.Version, Reason: h.Reason})
	}
	return v
}

func (f *gemLineFilter) nameLine(line string) string {
	name := strings.TrimSpace(line)
	if validName(name) != nil || !f.verdict(name, false).refused {
		return line
	}
	return ""
}

// versionsLine filters "NAME RELEASE,-RELEASE,... MD5" (a "-" marks a yank).
func (f *gemLineFilter) versionsLine(line string) string {
	fields := strings.Fields(line)
	if len(fields) != 3 || validName(fields[0]) != nil {
		return line
	}
	v := f.verdict(fields[0], true)
	if v.refused || v.md5 == "" {
		return line
	}
	var kept []string
	for _, rel := range strings.Split(fields[1], ",") {
		ver, _, _ := strings.Cut(strings.TrimPrefix(rel, "-"), "-")
		if !v.hide[ver] {
			kept = append(kept, rel)
		}
	}
	if len(kept) == 0 {
		return ""
	}
	return fields[0] + " " + strings.Join(kept, ",") + " " + v.md5 + "\n"
}
