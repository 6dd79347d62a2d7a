package nuget

import (
	"strings"

	"hoard/formats"
	"hoard/policy/gate"
)

// What the operator's policy may ask of NuGet.
var (
	_ formats.Gated         = Format{}
	_ formats.VersionFilter = Format{}
	_ formats.ReleaseDater  = Format{}
	_ formats.IndexFilter   = Format{}
)

// VersionScheme implements formats.Gated.
func (Format) VersionScheme() gate.Scheme { return Versions{} }

// Subject implements formats.Gated. Names are the lower-case ids the routes carry
// (policy patterns are folded to match). A versions index, a registration index
// or page names the package; a .nupkg, a .nuspec or a registration leaf also its
// version. The service index, search and autocomplete name none: search answers
// are filtered result by result (FilterIndex).
func (Format) Subject(rt formats.Route) (name, version string, ok bool) {
	if rt.Kind != formats.Artifact && rt.Kind != formats.Metadata {
		return "", "", false
	}
	k, err := parseKey(rt.Key)
	if err != nil || k.id == "" {
		return "", "", false
	}
	switch {
	case k.slug == slugDownload && k.rest == indexFile:
		return k.id, "", true
	case k.slug == slugDownload:
		return k.id, k.version(), true
	case regSlugs[k.slug] && (k.rest == indexFile || strings.HasPrefix(k.rest, "page/")):
		return k.id, "", true
	case regSlugs[k.slug]:
		return k.id, strings.TrimSuffix(k.rest, ".json"), true
	}
	return "", "", false
}

// DatingRoute implements formats.ReleaseDater: versions are dated by the
// catalog entries' published times in the SemVer 2 registration index, which
// lists every version; a registration index or page dates its own leaves.
func (Format) DatingRoute(rt formats.Route) (formats.Route, bool) {
	k, err := parseKey(rt.Key)
	if err != nil || k.id == "" {
		return formats.Route{}, false
	}
	if regSlugs[k.slug] && (k.rest == indexFile || strings.HasPrefix(k.rest, "page/")) {
		return formats.Route{}, false
	}
	return registration(k.feed, slugRegSemV2, k.id, indexFile), true
}
