package npm

import (
	"strings"

	"hoard/formats"
	"hoard/policy/gate"
)

var _ formats.Gated = Format{}

// VersionScheme implements formats.Gated.
func (Format) VersionScheme() gate.Scheme { return Versions{} }

// Subject implements formats.Gated: a packument names the package, a tarball
// also its version, read from the file name NAME-VERSION.tgz (the name without
// its scope, as npm publishes it).
func (Format) Subject(rt formats.Route) (name, version string, ok bool) {
	if rt.Package == "" || (rt.Kind != formats.Artifact && rt.Kind != formats.Metadata) {
		return "", "", false
	}
	if rt.Kind == formats.Artifact {
		version = tarballVersion(rt.Package, rt.Key)
	}
	return rt.Package, version, true
}

// tarballVersion is VERSION of a key ending in /BASE-VERSION.tgz, or "".
func tarballVersion(name, key string) string {
	base := name[strings.LastIndexByte(name, '/')+1:]
	file := key[strings.LastIndexByte(key, '/')+1:]
	v, ok := strings.CutPrefix(strings.TrimSuffix(file, ".tgz"), base+"-")
	if !ok || !strings.HasSuffix(file, ".tgz") {
		return ""
	}
	return v
}
