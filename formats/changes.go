package formats

// PackageChange is a hint from outside the request path that a package changed at
// its upstream: GitHub's package and registry_package webhook events. It names the
// package as GitHub Packages does; each format reads it in its own terms.
type PackageChange struct {
	Owner   string // the user or organisation the package belongs to (GitHub's namespace)
	Name    string // the package's name as GitHub Packages shows it (npm without its scope, Maven as group.artifact, a container image without its owner)
	Version string // the version published or updated; may be empty
	Tag     string // a container tag the change names; may be empty
}

// KeyPattern names cache keys within a mount: Exact names one key (Prefix is the
// whole key); otherwise every key that starts with Prefix and ends with Suffix.
type KeyPattern struct {
	Prefix, Suffix string
	Exact          bool
}

// ChangeExpirer is implemented by formats whose cached metadata a PackageChange
// makes stale. ExpireKeys lists that metadata, never an immutable artifact: the
// expired entries are revalidated by their next request (expiring too much costs a
// revalidation; too little serves stale data). It returns nothing for a change it
// cannot read (a name that is not valid in the format).
//
// What each format lists: npm both packument variants; Maven maven-metadata.xml (and
// its checksums) of the artifact, and of the version for a SNAPSHOT; OCI the tag
// named (every tag when none is), the tag lists and the referrers. A NuGet format
// lists its versions index (flat container), registration pages and search results
// for the id; a RubyGems one /versions, /info/NAME and the specs indexes.
type ChangeExpirer interface {
	ExpireKeys(c PackageChange) []KeyPattern
}

// Exact is a pattern of one key.
func Exact(key string) KeyPattern { return KeyPattern{Prefix: key, Exact: true} }
