package formats

import (
	"time"

	"hoard/policy/gate"
)

// Gated is implemented by formats whose reads an operator's policy can judge
// (mounts[].policy): the engine refuses, with 403 in the protocol's error shape,
// a read whose package or version the policy refuses.
type Gated interface {
	// VersionScheme reads the format's version ranges and orders its versions.
	VersionScheme() gate.Scheme
	// Subject names the package a read route is for, as the format writes names
	// (the name policy patterns match: "@acme/x", "com.acme:x"), and the version
	// it downloads, "" when the route names the package only (its metadata). ok
	// is false for routes no policy applies to.
	Subject(rt Route) (name, version string, ok bool)
}

// VersionFilter is implemented by Gated formats whose metadata lists a package's
// versions: FilterVersions drops from doc (as cached) every version judge refuses,
// keeping the document consistent (tags that named a dropped version point at
// the newest one kept), so a client's resolution picks an allowed version by
// itself. released is the version's release time as the document states it, zero
// when it states none. It returns doc itself when nothing is hidden. The engine
// runs it on every answer, never on what it caches: the verdicts change with the
// clock (a minimum age) and with a reloaded policy.
type VersionFilter interface {
	FilterVersions(rt Route, doc []byte, judge func(version string, released time.Time) gate.Reason) ([]byte, []Hidden, error)
}

// Hidden is one version a filtered document left out, and why.
type Hidden struct {
	Version string
	Reason  gate.Reason
}

// ReleaseDater is implemented by Gated formats whose metadata states when each
// version was released, so that a direct download of a version too young for a
// minimum age, or released after a freeze, is refused as its metadata hides it,
// and a document that states no times (npm's abbreviated packument, from some
// registries) is filtered with those of the one that does.
type ReleaseDater interface {
	// DatingRoute is the Metadata route whose document dates the versions rt
	// downloads or lists; false when rt's own document is the one.
	DatingRoute(rt Route) (Route, bool)
	// ReleaseTimes reads every version's release time from that document (as
	// cached); a version it does not date is absent.
	ReleaseTimes(doc []byte) map[string]time.Time
}

// FilteredChecksummer is implemented by VersionFilter formats that serve checksum
// documents of their metadata (Maven's maven-metadata.xml.sha1): when the
// document is filtered, its checksums must be those of the filtered bytes.
// FilteredChecksum names, for such a checksum route, the document route and the
// algorithm (md5, sha1, sha256, sha512); the answer is then the lower-case hex
// digest of the document as filtered.
type FilteredChecksummer interface {
	FilteredChecksum(rt Route) (doc Route, algo string, ok bool)
}

// VersionDater is implemented by Gated formats whose versions are dated one by
// one, by a file of each version rather than by one document: Maven dates a
// version by its POM's Last-Modified, as the upstream sent it.
type VersionDater interface {
	// VersionDatingRoute is the Artifact route whose Last-Modified dates version
	// of the package rt reads (its metadata or one of its files); false when the
	// version cannot name a file.
	VersionDatingRoute(rt Route, version string) (Route, bool)
}

// LastUpdater is implemented by VersionFilter formats whose metadata states when
// it last changed (Maven's <lastUpdated>): a filtered document must not say it
// changed after the newest version it still lists was released.
type LastUpdater interface {
	SetLastUpdated(doc []byte, t time.Time) []byte
}

// TagResolver is implemented by Gated formats whose mutable names (OCI tags)
// point at immutable content by digest: a tag whose newest digest is too young
// for a minimum age, or released after a freeze, resolves to the previous
// digest the tag had, and a read of a too young digest is refused. The engine
// keeps each tag's history of digests with when it first saw each.
type TagResolver interface {
	// Tag names the repository and tag a manifest-by-tag read is for.
	Tag(rt Route) (repo, tag string, ok bool)
	// Digest names the repository and digest a manifest-by-digest read is for.
	Digest(rt Route) (repo, digest string, ok bool)
	// ByDigestPath is the mount-relative path of repo's manifest by digest.
	ByDigestPath(repo, digest string) string
	// ManifestRefs reads a manifest's config digest and an index's children.
	ManifestRefs(body []byte) (config string, children []string)
	// BlobPath is the mount-relative path of a blob of repo.
	BlobPath(repo, digest string) string
	// Created is when an image was built, as its config states; zero if unknown.
	Created(config []byte) time.Time
}
