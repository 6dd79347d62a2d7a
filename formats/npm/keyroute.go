package npm

import (
	"strings"

	"hoard/formats"
)

// RouteKey implements formats.KeyRouter for packuments ("pkg/NAME", and
// "pkg/NAME@abbrev" for the abbreviated variant): their tarball URLs carry the
// public URL of the daemon that fetched them.
func (Format) RouteKey(key string) (formats.Route, bool) {
	name, ok := strings.CutPrefix(key, "pkg/")
	if !ok {
		return formats.Route{}, false
	}
	abbrev := false
	if n, ok := strings.CutSuffix(name, "@abbrev"); ok {
		name, abbrev = n, true
	}
	if validName(name) != nil {
		return formats.Route{}, false
	}
	return packument(name, abbrev), true
}
