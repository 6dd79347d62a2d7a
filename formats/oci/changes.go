package oci

import (
	"strings"

	"hoard/formats"
)

// ExpireKeys implements formats.ChangeExpirer: the tag the change names (every tag
// of the image when it names none), the image's tag lists under every query, and its
// referrers. Keys carry the repository's generation suffix after a push through
// this Hoard; prefixes cover them. Manifests by digest are immutable and are never
// expired (the cache leaves immutable entries alone).
func (f Format) ExpireKeys(c formats.PackageChange) []formats.KeyPattern {
	name := strings.ToLower(c.Name)
	owner := strings.ToLower(c.Owner)
	if owner != "" && !strings.HasPrefix(name, owner+"/") {
		name = owner + "/" + name
	}
	if !ValidName(name) {
		return nil
	}
	out := []formats.KeyPattern{{Prefix: name + "/tags/list"}, {Prefix: name + "/referrers/"}}
	if c.Tag != "" && ValidTag(c.Tag) {
		key := name + "/manifests/" + c.Tag
		return append(out, formats.Exact(key), formats.KeyPattern{Prefix: key + "#"})
	}
	return append(out, formats.KeyPattern{Prefix: name + "/manifests/"})
}
