package maven

import (
	"strings"

	"hoard/formats"
	"hoard/policy/gate"
)

var _ formats.Gated = Format{}

// VersionScheme implements formats.Gated.
func (Format) VersionScheme() gate.Scheme { return Versions{} }

// Subject implements formats.Gated: a file under GROUP/ARTIFACT/VERSION/ names
// GROUP:ARTIFACT (dots for the group's slashes, as a POM writes it) and
// VERSION; a maven-metadata.xml (or its checksum) directly under
// GROUP/ARTIFACT/ names the package only, one under a -SNAPSHOT directory that
// snapshot version.
func (Format) Subject(rt formats.Route) (name, version string, ok bool) {
	if rt.Kind != formats.Artifact && rt.Kind != formats.Metadata {
		return "", "", false
	}
	segs := strings.Split(rt.Key, "/")
	n := len(segs)
	if isMetadata(rt.Key) && !strings.HasSuffix(segs[max(n-2, 0)], "-SNAPSHOT") {
		if n < 3 {
			return "", "", false
		}
		return strings.Join(segs[:n-2], ".") + ":" + segs[n-2], "", true
	}
	if n < 4 {
		return "", "", false
	}
	return strings.Join(segs[:n-3], ".") + ":" + segs[n-3], segs[n-2], true
}
