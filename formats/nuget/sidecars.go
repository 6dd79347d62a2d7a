package nuget

import (
	"encoding/base64"
	"encoding/hex"
	"strings"

	"hoard/formats"
)

// Sidecars implements formats.SidecarLister: a .nupkg's hash is its catalog entry's
// packageHash, in a registration index of its id. Every type is listed: the engine
// tries those already cached first, so the one the client just read (NuGet.exe
// reads /3.4.0, dotnet /3.6.0) verifies the package without another upstream
// request. A paged registration's index inlines no entries; such a package is
// checked as a zip only.
func (Format) Sidecars(rt formats.Route) []formats.Sidecar {
	if rt.Kind != formats.Artifact || !strings.HasSuffix(rt.Key, ".nupkg") {
		return nil
	}
	feed, _, _ := strings.Cut(rt.Key, "/")
	var out []formats.Sidecar
	for _, s := range []string{slugRegSemV2, slugRegGz, slugReg} {
		out = append(out, formats.Sidecar{Algo: "sha512", Route: registration(feed, s, rt.Package, indexFile), Entry: rt.Key})
	}
	return out
}

// Sums implements formats.SumsIndexer: a registration index or page, as cached,
// into a table from each .nupkg's key to the SHA-512 its catalog entry publishes.
func (Format) Sums(rt formats.Route, doc []byte, _ string) (map[string]formats.Checksum, error) {
	k, err := parseKey(rt.Key)
	if err != nil || !regSlugs[k.slug] {
		return nil, err
	}
	obj, err := decodeObject(doc)
	if err != nil {
		return nil, err
	}
	sums := map[string]formats.Checksum{}
	pages := []any{obj}
	if items, ok := obj["items"].([]any); ok && k.rest == indexFile {
		pages = items
	}
	for _, p := range pages {
		page, _ := p.(map[string]any)
		leaves, _ := page["items"].([]any)
		for _, l := range leaves {
			leaf, _ := l.(map[string]any)
			ce, _ := leaf["catalogEntry"].(map[string]any)
			if sum, ok := packageHash(ce); ok {
				ver, _ := normalVersion(str(ce["version"]))
				sums[nupkgRoute(k.feed, k.id, ver).Key] = sum
			}
		}
	}
	return sums, nil
}

// packageHash reads a catalog entry's packageHash: base64 SHA-512 (the only
// algorithm NuGet publishes). One that is malformed gives no entry.
func packageHash(ce map[string]any) (formats.Checksum, bool) {
	if !strings.EqualFold(str(ce["packageHashAlgorithm"]), "SHA512") {
		return formats.Checksum{}, false
	}
	raw, err := base64.StdEncoding.DecodeString(str(ce["packageHash"]))
	if err != nil || len(raw) != 64 {
		return formats.Checksum{}, false
	}
	if _, err := normalVersion(str(ce["version"])); err != nil {
		return formats.Checksum{}, false
	}
	return formats.Checksum{Algo: "sha512", Hex: hex.EncodeToString(raw)}, true
}
