package nuget

import (
	"strings"

	"hoard/formats"
)

// ExpireKeys implements formats.ChangeExpirer: the id's versions index, its
// registration documents of every type (index, pages, leaves), and every cached
// search answer of the owner's feed, which may list the id.
func (Format) ExpireKeys(c formats.PackageChange) []formats.KeyPattern {
	id, err := normalID(c.Name)
	if err != nil || validFeed(c.Owner) != nil {
		return nil
	}
	feed := strings.ToLower(c.Owner)
	out := []formats.KeyPattern{formats.Exact(versionsRoute(feed, id).Key)}
	for s := range regSlugs {
		out = append(out, formats.KeyPattern{Prefix: feed + "/" + s + "/" + id + "/"})
	}
	for _, s := range []string{slugQuery, slugComplete} {
		out = append(out, formats.KeyPattern{Prefix: feed + "/" + s}) // with any query, or none
	}
	return out
}
