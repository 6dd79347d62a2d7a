package rubygems

import (
	"strings"

	"hoard/formats"
)

// ExpireKeys implements formats.ChangeExpirer: the owner's /versions, /names and
// specs files, and the gem's /info, under the owner's prefix as GitHub's mount
// serves them (in GitHub's spelling of the owner and in lower case).
func (Format) ExpireKeys(c formats.PackageChange) []formats.KeyPattern {
	if validName(c.Name) != nil || c.Owner == "" || validName(c.Owner) != nil {
		return nil
	}
	owners := []string{c.Owner}
	if lower := strings.ToLower(c.Owner); lower != c.Owner {
		owners = append(owners, lower)
	}
	var out []formats.KeyPattern
	for _, o := range owners {
		prefix := o + "/"
		for _, k := range append(indexKeys(prefix), prefix+"info/"+c.Name) {
			out = append(out, formats.Exact(k))
		}
	}
	return out
}
