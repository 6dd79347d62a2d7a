// Package formats holds what every client protocol shares: the Format interface the
// proxy drives, the Route a format makes of one request, and the optional interfaces
// (engine.go and below) through which the engine asks a format for protocol
// behaviour beyond reading routes. Each protocol lives in a package of its own under
// formats/ (README.md says how to add one).
//
// It imports policy/gate only (a format's version Scheme); the packages under it
// import formats, policy/gate and formats/internal (formats/builtin also lists the
// protocols), never proxy, cmd or bench (proxy's depcheck test holds that line).
package formats

import (
	"errors"
	"net/http"
)

// Kind says what the proxy does with a request.
type Kind int

const (
	// Artifact is immutable content, fetched once and cached for good.
	Artifact Kind = iota
	// Metadata is mutable content with a TTL, revalidated and served stale on failure.
	Metadata
	// Passthrough is forwarded upstream with the caller's credentials and never cached.
	Passthrough
	// Publish forwards a body upstream; on success the body may be cached.
	Publish
	// Delete forwards a deletion upstream; on success the route's keys are invalidated.
	Delete
)

func (k Kind) String() string {
	switch k {
	case Artifact:
		return "artifact"
	case Metadata:
		return "metadata"
	case Passthrough:
		return "passthrough"
	case Publish:
		return "publish"
	case Delete:
		return "delete"
	}
	return "unknown"
}

// Checksum is a digest the fetched bytes must match.
type Checksum struct {
	Algo string // md5, sha1, sha256, sha512
	Hex  string // lower-case hex
}

// Sidecar is a document that declares an artifact's checksum: Maven's .sha1 next to
// the jar, or the npm packument whose dist.integrity covers a tarball. A format
// lists them through SidecarLister.
type Sidecar struct {
	Algo  string // for a plain checksum file: md5, sha1, sha256, sha512
	Route Route  // how to fetch (and cache) the document itself
	// Entry, for a document that declares the checksums of many artifacts (npm's
	// packument): the artifact's name in the table the format's SumsIndexer makes of
	// that document. Empty means a plain checksum file of Algo.
	Entry string
}

// Route is a format's reading of one request: everything the proxy needs to serve it,
// already validated, so nothing unchecked ever reaches a cache key or an upstream URL.
type Route struct {
	Kind Kind
	// Key names the cached content within the mount; empty for Passthrough.
	Key string
	// Path is appended to the upstream base URL; already escaped and validated.
	Path string
	// RawQuery is forwarded for Passthrough requests only.
	RawQuery string
	// Package names the package, for upstream selection and access decisions.
	Package string
	// TTLClass picks the TTL of Metadata (for example "metadata" or "snapshot").
	TTLClass string
	// CacheOnSuccess, for Publish: keep the published body under Key, as immutable
	// content, once the upstream accepted it.
	CacheOnSuccess bool
	// Invalidate lists keys dropped once a Publish or Delete succeeded upstream.
	Invalidate []string
	// ContentType is used when the upstream sends none.
	ContentType string
	// Expect lists checksums known from the request itself (an OCI digest, say).
	Expect []Checksum
	// UpstreamHeader is sent with upstream fetches (an Accept that picks a variant:
	// the variant must then be part of Key).
	UpstreamHeader http.Header
	// ParseBody, for Publish: the body is read whole and checked by the format's
	// PublishParser before it is forwarded (see PublishParser).
	ParseBody bool
	// AcceptTypes, for a Metadata route of one variant of a document, are the media
	// types the client takes: another variant's cached content (see Alternator)
	// answers the route only when its Content-Type is one of them. Empty takes any.
	AcceptTypes []string
}

// Format is one client protocol.
type Format interface {
	// Name is the format's name in configuration, logs and metrics.
	Name() string
	// Route reads a request; rest is the escaped path after the mount prefix, starting
	// with "/". An error is the client's fault and is answered with 400.
	Route(r *http.Request, rest string) (Route, error)
	// WriteError answers r in the protocol's own error shape. err's text is the
	// message; a format may read more from it with errors.As (an error code of its
	// own that Route put there, say).
	WriteError(w http.ResponseWriter, r *http.Request, status int, err error)
	// CheckBody looks at an upstream response before anything is cached or streamed:
	// its headers and up to the first 512 bytes. An error means the body is not the
	// content asked for (an HTML login page served for a jar, say).
	CheckBody(rt Route, h http.Header, head []byte) error
	// FallThrough says whether a 404 from one upstream tries the next one.
	FallThrough() bool
}

// ErrMethod is wrapped by Route for a method the protocol does not offer at a path;
// the proxy answers it with 405.
var ErrMethod = errors.New("method not allowed")

// ErrNoMount is what the proxy hands WriteError (with 404) for a request under a
// Rooted format's API root whose name no mount serves.
var ErrNoMount = errors.New("no registry is mounted for this repository")

// Rewriter is implemented by formats whose metadata points at URLs that must be
// rewritten to Hoard's public URL (npm's dist.tarball, say). Rewrite runs once per
// fetched document, before it is cached; base is the public URL of the mount.
type Rewriter interface {
	Rewrite(rt Route, body []byte, base string) ([]byte, error)
}

// Challenger is implemented by formats whose clients expect a particular
// WWW-Authenticate challenge on 401; others get Basic, which Maven, Gradle, NuGet and
// RubyGems answer with their configured credentials.
type Challenger interface {
	Challenge() string
}

// DigestHeaderer is implemented by formats whose protocol names the served content's
// digest in a response header (OCI's Docker-Content-Digest). The proxy sets it to the
// sha256 of the bytes it serves, which the cache stores exactly as fetched.
type DigestHeaderer interface {
	DigestHeader() string
}

// SumsIndexer is implemented by formats whose metadata documents declare the
// checksums of many artifacts (npm's packument: every version's dist.integrity).
// Sums reads a document as cached (rewritten, base being the mount's public URL)
// into a table from Sidecar.Entry names to checksums. The proxy builds the table
// once per document it caches and looks artifacts up in it, so verifying one
// artifact never reads or parses its whole document again, however big.
type SumsIndexer interface {
	Sums(rt Route, doc []byte, base string) (map[string]Checksum, error)
}

// RewriteIndexer is implemented by a Rewriter and SumsIndexer that can build the
// checksum table in the same pass over the document as its rewrite: RewriteSums
// returns what Rewrite returns and the table Sums would read from it. A cold miss
// of a big document then reads it once, not twice.
type RewriteIndexer interface {
	RewriteSums(rt Route, body []byte, base string) ([]byte, map[string]Checksum, error)
}

// PieceRewriter is implemented by a RewriteIndexer that can give its output in
// pieces: the runs of the input it keeps, in order, with the bytes that replace
// what lies between them. Joined, the pieces are what RewriteSums returns. A big
// document is then written out from the input it was read into, never copied
// whole into a second buffer as large.
type PieceRewriter interface {
	RewritePieces(rt Route, body []byte, base string) ([][]byte, map[string]Checksum, error)
}

// SidecarLister is implemented by formats whose artifacts have checksum documents.
// The proxy asks only when a fill needs them, never on a cache hit (Maven has three
// candidates for every file); they are tried in order, and the first one found
// upstream must match the artifact.
type SidecarLister interface {
	Sidecars(rt Route) []Sidecar
}

// KeyRouter is implemented by formats that can give the route of one of their
// cache keys. An import uses it to rewrite a carried document for the importing
// site's public URL: npm's packuments name the exporting side's in their tarball
// URLs.
type KeyRouter interface {
	RouteKey(key string) (Route, bool)
}
