// Package nuget speaks the NuGet v3 server API used by NuGet.exe, dotnet and Visual
// Studio. Hoard serves its own service index of each feed, made from the upstream's,
// whose resources all point at Hoard under the feed's path (clients reuse
// credentials by URL prefix). .nupkg and .nuspec files are immutable: a .nupkg is
// checked as a zip whose .nuspec names the requested id and version, and against
// the packageHash its registration publishes. Versions indexes, registrations
// (every type, paged or not, gzip-encoded upstream or not) and search answers are
// metadata, rewritten once per fetch. Push, delete and relist are forwarded.
//
// Feeds are addressed as /MOUNT/FEED/index.json: FEED is a GitHub owner for a mount
// of a registry base (https://nuget.pkg.github.com), or "v3" for a mount whose
// upstream is one feed's service index URL. The upstream's resources are found in
// its service index by the format's upstream transport (upstream.go).
//
// It imports formats and policy/gate only.
package nuget

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"hoard/formats"
)

// Format is the NuGet v3 protocol. It holds no state; its upstream transport holds
// the service indexes it has read, per mount.
type Format struct{}

// What the engine may ask of NuGet, checked when it compiles.
var (
	_ formats.Format              = Format{}
	_ formats.Rewriter            = Format{}
	_ formats.SidecarLister       = Format{}
	_ formats.SumsIndexer         = Format{}
	_ formats.PublishParser       = Format{}
	_ formats.Challenger          = Format{}
	_ formats.TTLClasser          = Format{}
	_ formats.ChangeExpirer       = Format{}
	_ formats.UpstreamTransporter = Format{}
	_ formats.WholeReader         = Format{}
)

// New returns the NuGet format.
func New() Format { return Format{} }

// Name implements formats.Format.
func (Format) Name() string { return "nuget" }

// FallThrough: a feed is one upstream's; a 404 there is the answer.
func (Format) FallThrough() bool { return false }

// Challenge implements formats.Challenger: NuGet sends credentials only after a
// 401 with a Basic challenge (a 403, or a Bearer challenge, breaks it).
func (Format) Challenge() string { return `Basic realm="hoard NuGet"` }

// TTLClasses are the Route.TTLClass values this format sets.
func (Format) TTLClasses() []string { return []string{"index", "versions", "registration", "search"} }

// CheckBody refuses what is plainly not the content asked for: an HTML page, a
// document that is not a JSON object, a .nupkg that is not a zip, a .nuspec that is
// not XML.
func (Format) CheckBody(rt formats.Route, h http.Header, head []byte) error {
	if strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "text/html") {
		return errors.New("upstream sent an HTML page")
	}
	lead := bytes.TrimLeft(head, " \t\r\n\ufeff")
	switch {
	case rt.Kind == formats.Metadata:
		if len(lead) > 0 && lead[0] != '{' {
			return errors.New("upstream sent a document that is not a JSON object")
		}
	case strings.HasSuffix(rt.Key, ".nupkg"):
		if !bytes.HasPrefix(head, []byte("PK\x03\x04")) {
			return errors.New("upstream sent a .nupkg that is not a zip")
		}
	case strings.HasSuffix(rt.Key, ".nuspec"):
		if len(lead) > 0 && lead[0] != '<' {
			return errors.New("upstream sent a .nuspec that is not XML")
		}
	}
	return nil
}
