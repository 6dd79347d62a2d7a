package npm

import (
	"strings"

	"hoard/formats"
)

// ExpireKeys implements formats.ChangeExpirer: both variants of the packument.
// GitHub names an npm package without its scope, which is its owner's login.
func (Format) ExpireKeys(c formats.PackageChange) []formats.KeyPattern {
	name := strings.ToLower(c.Name)
	if !strings.HasPrefix(name, "@") {
		name = "@" + strings.ToLower(c.Owner) + "/" + name
	}
	if validName(name) != nil {
		return nil
	}
	var out []formats.KeyPattern
	for _, k := range packumentKeys(name) {
		out = append(out, formats.Exact(k))
	}
	return out
}
