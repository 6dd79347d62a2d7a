package nuget

import "hoard/formats"

// RouteKey implements formats.KeyRouter for the documents that carry Hoard's
// public URL (the service index and registrations), so an import can point them at
// the importing site.
func (Format) RouteKey(key string) (formats.Route, bool) {
	k, err := parseKey(key)
	if err != nil || (k.slug != indexFile && !regSlugs[k.slug]) {
		return formats.Route{}, false
	}
	return formats.Route{Kind: formats.Metadata, Key: key, Package: k.id}, true
}
