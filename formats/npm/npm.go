// Package npm speaks the npm registry API used by npm, pnpm and yarn: packuments
// (full and abbreviated) are mutable metadata whose tarball URLs are rewritten to
// Hoard; tarballs are immutable and verified against the packument's dist.integrity;
// publish, unpublish, deprecate and dist-tag changes are forwarded and invalidate the
// packument; search, audit, login and single-version views pass through.
//
// It imports formats and policy/gate only.
package npm

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"hoard/formats"
)

// Format is the npm registry protocol. It holds no state.
type Format struct{}

// What the engine may ask of npm, checked when it compiles.
var (
	_ formats.Format              = Format{}
	_ formats.SidecarLister       = Format{}
	_ formats.Alternator          = Format{}
	_ formats.Rewriter            = Format{}
	_ formats.RewriteIndexer      = Format{}
	_ formats.PublishParser       = Format{}
	_ formats.HeaderForwarder     = Format{}
	_ formats.Remover             = Format{}
	_ formats.PassthroughRewriter = Format{}
)

// New returns the npm format.
func New() Format { return Format{} }

// Name implements formats.Format.
func (Format) Name() string { return "npm" }

// FallThrough: a package name belongs to one upstream (chosen by pattern, @acme/* to
// one, everything else to another); a 404 there is the answer, never a reason to ask
// a registry that could serve a different package under the same name.
func (Format) FallThrough() bool { return false }

// CheckBody refuses what is plainly not the content asked for: an HTML page (a login
// page or captive portal with a 200), a packument that is not a JSON object, a
// tarball that is not gzip.
func (Format) CheckBody(rt formats.Route, h http.Header, head []byte) error {
	if strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "text/html") {
		return errors.New("upstream sent an HTML page")
	}
	lead := bytes.TrimLeft(head, " \t\r\n\ufeff")
	switch rt.Kind {
	case formats.Metadata:
		if len(lead) > 0 && lead[0] != '{' {
			return errors.New("upstream sent a packument that is not a JSON object")
		}
	case formats.Artifact:
		if len(head) >= 2 && (head[0] != 0x1f || head[1] != 0x8b) {
			return errors.New("upstream sent a tarball that is not gzip")
		}
	}
	return nil
}
