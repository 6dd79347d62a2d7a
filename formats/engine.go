package formats

import (
	"net/http"
	"net/url"
	"time"
)

// The interfaces in this file are how the engine asks a format for protocol
// behaviour beyond reading routes; each is optional, and a format implements only
// those its protocol needs. The engine never names a format.

// Rooted is implemented by formats whose clients address the server at a fixed API
// root instead of under /MOUNT/: OCI clients speak /v2/, and Docker's
// registry-mirrors setting cannot add a path. Under the root, a first path segment
// that names a mount of the format picks that mount ("/v2/ghcr/owner/image/..."),
// and any other name goes whole to the configured default mount.
type Rooted interface {
	// APIRoot is the root's path segment ("v2" for /v2/).
	APIRoot() string
	// RootHeader sets the headers that every answer under the root carries.
	RootHeader(h http.Header)
	// ServeRoot answers the root itself ("/v2/"), the protocol's version check.
	// refused reports whether the server knows the caller's credentials to be bad;
	// it asks the token validator, so call it only when the answer depends on it.
	ServeRoot(w http.ResponseWriter, r *http.Request, refused func() bool)
	// MirrorHost is the upstream host a request says the server stands in for
	// (containerd's ?ns=HOST), or "". It only picks among configured mounts.
	MirrorHost(r *http.Request) string
	// CleanQuery makes r's query fit for the upstream of the mount chosen: prefix is
	// the public prefix of the mount's names ("ghcr/", or "" for the default mount)
	// and isMount reports whether a name's first segment names a mount of the format.
	CleanQuery(r *http.Request, prefix string, isMount func(first string) bool)
}

// ResponseFixer is implemented by formats whose answers carry headers that must be
// fixed as they go out: upstream URLs in Location or Link that must point at the
// server, a 401's challenge, a digest header the protocol promises.
type ResponseFixer interface {
	// HeaderFixer is called once per mount and public prefix, when the server
	// starts: public is the server's public URL of the names it serves
	// ("https://hoard.example/v2/ghcr/"), upstreams the mount's upstream base URLs.
	HeaderFixer(public string, upstreams []*url.URL) HeaderFixer
}

// HeaderFixer fixes the headers of one answer just before its status line is sent.
type HeaderFixer interface {
	FixHeader(r *http.Request, status int, h http.Header)
}

// UpstreamTransporter is implemented by formats whose upstreams take credentials
// through a protocol of their own (registries' token dance, see package
// formats/internal/regtoken). The engine sends every upstream request of the
// format's mounts through the RoundTripper returned, with the credential to use in
// its Authorization header; base is the shared transport.
type UpstreamTransporter interface {
	UpstreamTransport(base http.RoundTripper, o UpstreamOptions) http.RoundTripper
}

// UpstreamOptions describe one mount's upstreams to an UpstreamTransporter.
type UpstreamOptions struct {
	Upstreams []*url.URL // the mount's base URLs
	UserAgent string
	// TokenRealms are hosts (host or host:port) besides the upstreams' own that
	// may receive credentials as token servers (mounts[].token_realms).
	TokenRealms []string
}

// Alternator is implemented by formats with several variants of one document:
// Alternates are the keys of other variants whose cached content answers a
// Metadata route as well (npm's full packument answers a request for the
// abbreviated one), served when the route's own key is not fresh but one of them is.
type Alternator interface {
	Alternates(rt Route) []string
}

// HeadRevalidator is implemented by formats whose upstreams name a document's digest
// in a header: a stale Metadata entry for which RevalidateHead names a header is
// revalidated with a HEAD instead of a conditional GET, and the same digest
// ("sha256:<hex>") means unchanged (OCI's Docker-Content-Digest, which spares the
// upstream's pull rate limits). "" keeps the conditional GET.
type HeadRevalidator interface {
	RevalidateHead(rt Route) string
}

// HeaderKeeper is implemented by formats whose metadata carries meaning in response
// headers: KeepHeaders are stored with a Metadata entry and served with it (OCI's
// Link to the next page of a tag list).
type HeaderKeeper interface {
	KeepHeaders(rt Route) []string
}

// DocumentHeaderer is implemented by formats whose clients check a document
// against headers derived from its bytes: the compact index's clients require the
// ETag to be the quoted MD5 of the whole file, also after a Range request, and
// read Repr-Digest. DocumentHeaders runs once per Metadata document read whole
// (after any Rewrite); what it returns is stored with the entry and served with
// it, on every hit, Range and conditional answers included, in place of the
// engine's own ETag (conditional requests are then judged against it).
type DocumentHeaderer interface {
	DocumentHeaders(rt Route, body []byte) map[string]string
}

// TTLDefaulter is implemented by formats with metadata classes whose TTL, when a
// mount configures none, differs from the engine's default (a short-lived
// pass-through answer, say).
type TTLDefaulter interface {
	DefaultTTLs() map[string]time.Duration
}

// HeaderForwarder is implemented by formats whose clients send protocol headers the
// upstream needs on a forwarded request (npm's one-time password for a publish),
// beyond those of HTTP itself; every other client header stays behind. Headers that
// carry credentials are not listed here: they go only where the mount passes the
// caller's credentials through.
type HeaderForwarder interface {
	ForwardHeaders() []string
}

// The three interfaces below are asked of a route the format made, never on a
// hit: Remover of a write, PassthroughRewriter of a forward, WholeReader of a miss.

// Remover is implemented by formats with requests that remove content though they
// are not a Delete (an npm unpublish of one version, a PUT of the packument with
// versions taken out): Removes reports whether rt, a Publish or Passthrough route,
// is one. It then needs the delete scope and is audited.
type Remover interface {
	Removes(rt Route) bool
}

// PassthroughRewriter is implemented by formats whose forwarded answers carry URLs
// the client reuses to address the registry (npm's ?write=true packument and one
// version's document): for a Passthrough route rt of a client's request for which
// RewritesPassthrough is true, a 200 body is rewritten by the format's Rewriter
// before it is relayed.
type PassthroughRewriter interface {
	RewritesPassthrough(rt Route) bool
}

// WholeReader is implemented by formats with immutable content that is a document
// to check (an OCI manifest by digest, a NuGet .nupkg read as a zip): for an
// Artifact route rt for which ReadsWhole is true the upstream body is read whole and
// passed through the format's Rewriter before it is cached, as Metadata always is,
// and it is never shared between nodes (a Rewriter may change it). For a Metadata
// route it says the document must be read to be described: a HEAD of it is filled
// like a GET where the format names a digest header (see DigestHeaderer).
type WholeReader interface {
	ReadsWhole(rt Route) bool
}
