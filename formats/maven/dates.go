package maven

import (
	"regexp"
	"strings"
	"time"

	"hoard/formats"
)

var (
	_ formats.VersionDater = Format{}
	_ formats.LastUpdater  = Format{}
)

// VersionDatingRoute implements formats.VersionDater: a version is dated by its
// POM, GROUP/ARTIFACT/VERSION/ARTIFACT-VERSION.pom, whose Last-Modified the
// repository set when the version was deployed. rt is the artifact's
// maven-metadata.xml or any file of one of its versions. version comes from
// metadata an upstream wrote, so it must be one plain path segment.
func (f Format) VersionDatingRoute(rt formats.Route, version string) (formats.Route, bool) {
	segs := strings.Split(rt.Key, "/")
	n := len(segs)
	var dir []string // GROUP/ARTIFACT
	switch {
	case rt.Kind == formats.Metadata && isMetadata(rt.Key) && n >= 3:
		dir = segs[:n-1]
	case rt.Kind == formats.Artifact && n >= 4:
		dir = segs[:n-2]
	default:
		return formats.Route{}, false
	}
	if !plainSegment(version) {
		return formats.Route{}, false
	}
	artifact := dir[len(dir)-1]
	slashed := "/" + strings.Join(dir, "/") + "/" + version + "/" + artifact + "-" + version + ".pom"
	clean, err := formats.CleanPath(slashed, formats.IsPlainByte)
	if err != nil || clean != slashed {
		return formats.Route{}, false
	}
	return readRoute(clean), true
}

func plainSegment(s string) bool {
	if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\\") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !formats.IsPlainByte(s[i]) {
			return false
		}
	}
	return true
}

var lastUpdatedElem = regexp.MustCompile(`(<versioning>(?s:.*?)<lastUpdated>)\s*\d*\s*(</lastUpdated>)`)

// SetLastUpdated implements formats.LastUpdater: <lastUpdated> (UTC,
// yyyyMMddHHmmss) of the artifact's versioning becomes t, so that a filtered
// document does not claim a change later than the newest version it lists.
func (Format) SetLastUpdated(doc []byte, t time.Time) []byte {
	return lastUpdatedElem.ReplaceAll(doc, []byte("${1}"+t.UTC().Format("20060102150405")+"${2}"))
}
