package maven

import (
	"bytes"
	"regexp"
	"strings"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

var (
	_ formats.VersionFilter       = Format{}
	_ formats.FilteredChecksummer = Format{}
)

var (
	versionsBlock = regexp.MustCompile(`(?s)<versions>.*?</versions>`)
	versionElem   = regexp.MustCompile(`[ \t]*<version>\s*([^<]*?)\s*</version>[ \t]*(\r?\n)?`)
	latestElem    = regexp.MustCompile(`(<latest>)\s*[^<]*?\s*(</latest>)`)
	releaseElem   = regexp.MustCompile(`(<release>)\s*[^<]*?\s*(</release>)`)
	emptyLatest   = regexp.MustCompile(`[ \t]*<latest>\s*</latest>[ \t]*(\r?\n)?`)
	emptyRelease  = regexp.MustCompile(`[ \t]*<release>\s*</release>[ \t]*(\r?\n)?`)
)

// FilterVersions implements formats.VersionFilter for an artifact's
// maven-metadata.xml: a refused version's <version> goes, and <latest> and
// <release> name the newest version kept (a release for <release>), or go when
// none is left. The document is edited in place, its layout kept. It states no
// release times: versions are judged by name and range only.
func (Format) FilterVersions(rt formats.Route, doc []byte, judge func(string, time.Time) gate.Reason) ([]byte, []formats.Hidden, error) {
	block := versionsBlock.FindIndex(doc)
	if block == nil {
		return doc, nil, nil
	}
	var hidden []formats.Hidden
	var kept []string
	inner := versionElem.ReplaceAllFunc(doc[block[0]:block[1]], func(m []byte) []byte {
		v := string(versionElem.FindSubmatch(m)[1])
		if reason := judge(v, time.Time{}); reason.Refused() {
			hidden = append(hidden, formats.Hidden{Version: v, Reason: reason})
			return nil
		}
		kept = append(kept, v)
		return m
	})
	if len(hidden) == 0 {
		return doc, nil, nil
	}
	out := make([]byte, 0, len(doc))
	out = append(out, doc[:block[0]]...)
	out = append(out, inner...)
	out = append(out, doc[block[1]:]...)
	out = setElem(out, latestElem, emptyLatest, newest(kept, false))
	out = setElem(out, releaseElem, emptyRelease, newest(kept, true))
	return out, hidden, nil
}

// setElem puts v in the element re matches, or drops the element when v is "".
func setElem(doc []byte, re, empty *regexp.Regexp, v string) []byte {
	doc = re.ReplaceAll(doc, []byte("${1}"+escapeText(v)+"${2}"))
	if v == "" {
		doc = empty.ReplaceAll(doc, nil)
	}
	return doc
}

// escapeText makes v safe as XML text and as a regexp replacement.
func escapeText(v string) string {
	var b bytes.Buffer
	for _, c := range v {
		switch c {
		case '<':
			b.WriteString("&lt;")
		case '&':
			b.WriteString("&amp;")
		case '$':
			b.WriteString("$$")
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// newest is the newest of versions in Maven's order, releases only if asked.
func newest(versions []string, release bool) string {
	best := ""
	for _, v := range versions {
		if release && strings.HasSuffix(v, "-SNAPSHOT") {
			continue
		}
		if best == "" || (Versions{}).Compare(v, best) > 0 {
			best = v
		}
	}
	return best
}

// FilteredChecksum implements formats.FilteredChecksummer for the checksum
// files of a maven-metadata.xml.
func (Format) FilteredChecksum(rt formats.Route) (formats.Route, string, bool) {
	if rt.Kind != formats.Metadata {
		return formats.Route{}, "", false
	}
	for _, c := range []struct{ ext, algo string }{{".sha1", "sha1"}, {".md5", "md5"}, {".sha256", "sha256"}, {".sha512", "sha512"}} {
		if doc, ok := strings.CutSuffix(rt.Key, c.ext); ok && strings.HasSuffix(doc, metadataFile) {
			return readRoute("/" + doc), c.algo, true
		}
	}
	return formats.Route{}, "", false
}
