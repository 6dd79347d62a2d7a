// Package oci speaks the OCI distribution API (Docker registry v2) that docker,
// podman, containerd, skopeo and crane use. Blobs and manifests by digest are
// immutable and verified against their digest; manifests by tag, tag lists and
// referrers are metadata; uploads, manifest pushes and deletes are forwarded.
//
// The proxy serves the API at /v2/: the mount is the first segment of the repository
// name, and rest, as this package sees it, is "/NAME/manifests/REF" and the like,
// with NAME the repository at the upstream.
//
// It imports formats, policy/gate and formats/internal/regtoken (the registry token
// dance its UpstreamTransport returns) only.
package oci

import (
	"fmt"
	"net/http"
	"strings"

	"hoard/formats"
)

// Format is the OCI distribution protocol. Its state, made by New and shared by
// its copies, is the per-repository generation that keeps cached tags, tag lists
// and referrers from outliving a push or delete made through this Hoard, and a
// memo of the decisions manifest Accept headers made.
type Format struct {
	gens    *generations
	accepts *acceptMemo
}

// What the engine may ask of OCI, checked when it compiles.
var (
	_ formats.Format              = Format{}
	_ formats.Rooted              = Format{}
	_ formats.ResponseFixer       = Format{}
	_ formats.UpstreamTransporter = Format{}
	_ formats.Challenger          = Format{}
	_ formats.DigestHeaderer      = Format{}
	_ formats.Alternator          = Format{}
	_ formats.Rewriter            = Format{}
	_ formats.PublishParser       = Format{}
	_ formats.HeadRevalidator     = Format{}
	_ formats.HeaderKeeper        = Format{}
	_ formats.WholeReader         = Format{}
)

// New returns the OCI format.
func New() Format { return Format{gens: newGenerations(), accepts: newAcceptMemo()} }

// Name implements formats.Format.
func (Format) Name() string { return "oci" }

// FallThrough: one repository lives at one upstream.
func (Format) FallThrough() bool { return false }

// Challenge implements formats.Challenger.
func (Format) Challenge() string { return basicChallenge }

// DigestHeader names the header that carries the served content's digest.
func (Format) DigestHeader() string { return "Docker-Content-Digest" }

// CheckBody implements formats.Format: an HTML page is never a manifest, blob or
// listing, and a manifest's declared length must be within the cap.
func (Format) CheckBody(rt formats.Route, h http.Header, head []byte) error {
	if strings.HasPrefix(mediaTypeOf(h.Get("Content-Type")), "text/html") && !strings.Contains(rt.Key, "/blobs/") {
		return fmt.Errorf("upstream sent an HTML page")
	}
	if isManifestKey(rt.Key) && h.Get("Content-Length") != "" {
		var n int64
		if _, err := fmt.Sscan(h.Get("Content-Length"), &n); err == nil && n > MaxManifestSize {
			return errTooBig
		}
	}
	return nil
}
