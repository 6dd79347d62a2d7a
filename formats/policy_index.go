package formats

import (
	"time"

	"hoard/policy/gate"
)

// JudgedWithoutAge is the release time an IndexFilter gives a version it does
// not date: old enough for any minimum age, and before any freeze.
var JudgedWithoutAge = time.Unix(0, 0).UTC()

// IndexFilter is implemented by Gated formats whose documents list the versions
// of many packages at once (a NuGet search answer, RubyGems' /versions): the
// policy filters them too, package by package, so that no list offers a client
// a version its package's own metadata hides.
type IndexFilter interface {
	// IsIndex reports whether rt reads such a document.
	IsIndex(rt Route) bool
	// FilterIndex drops from doc (as cached) every package and version judge
	// refuses; judge takes the package's name as Subject would name it, and a
	// version "" to judge the package as a whole. A version's release time zero
	// asks for it to be dated by its package's document (PackageRoute, fetched
	// if need be); an index listing too many packages for that passes
	// JudgedWithoutAge, and the version is judged by deny and allow alone. An index that names a digest
	// of each package's own document (RubyGems' MD5 of /info/NAME) asks
	// packageDoc for that document as it is served, filtered, and the versions
	// filtering hid from it; ok is false when Hoard does not hold it, and the
	// index then keeps the upstream's line (a client whose copy differs fetches
	// the document anew, filtered). Hidden entries are "NAME" or
	// "NAME@VERSION". It returns doc itself when nothing is hidden.
	FilterIndex(rt Route, doc []byte, judge func(name, version string, released time.Time) gate.Reason,
		packageDoc func(name string) (doc []byte, hidden []Hidden, ok bool)) ([]byte, []Hidden, error)
	// PackageRoute is the route of name's own metadata document next to the
	// index rt (RubyGems' /info/NAME under the same prefix, NuGet's versions
	// index of the id): what dates its versions (ReleaseDater) and what
	// packageDoc reads.
	PackageRoute(rt Route, name string) (Route, bool)
}
