package formats

import (
	"time"

	"hoard/policy/gate"
)

// IndexFilter is implemented by Gated formats whose documents list the versions
// of many packages at once (a NuGet search answer, RubyGems' /versions): the
// policy filters them too, package by package, so that no list offers a client
// a version its package's own metadata hides.
type IndexFilter interface {
	// IsIndex reports whether rt reads such a document.
	IsIndex(rt Route) bool
	// FilterIndex drops from doc (as cached) every package and version judge
	// refuses; judge takes the package's name as Subject would name it, and a
	// version "" to judge the package as a whole. An index that names a digest
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
