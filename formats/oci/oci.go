// Package oci speaks the OCI distribution API (Docker registry v2) that docker,
// podman, containerd, skopeo and crane use. Blobs and manifests by digest are
// immutable and verified against their digest; manifests by tag, tag lists and
// referrers are metadata; uploads, manifest pushes and deletes are forwarded.
//
// The proxy serves the API at /v2/: the mount is the first segment of the repository
// name, and rest, as this package sees it, is "/NAME/manifests/REF" and the like,
// with NAME the repository at the upstream.
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
	_ formats.Rewriter            = Format{}
	_ formats.PublishParser       = Format{}
	_ formats.HeadRevalidator     = Format{}
	_ formats.HeaderKeeper        = Format{}
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

// isRefByte allows what names, tags, digests and upload ids are made of.
func isRefByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._:=+~", c) >= 0
}

// Route implements formats.Format. The path is decoded and checked whole, then
// read from its end, where the endpoint is named: a repository name may have
// any number of segments.
func (f Format) Route(r *http.Request, rest string) (formats.Route, error) {
	trailing := len(rest) > 1 && strings.HasSuffix(rest, "/")
	clean, err := formats.CleanPath(strings.TrimSuffix(rest, "/"), isRefByte)
	if err != nil {
		return formats.Route{}, errorf(formats.ErrBadPath, CodeNameInvalid, "%v", err)
	}
	p := clean[1:] // NAME/ENDPOINT..., and the cache key of what it names
	if name, ok := strings.CutSuffix(p, "/blobs/uploads"); ok {
		return f.withName(name, func(name string) (formats.Route, error) { return uploadStart(r, name) })
	}
	if trailing {
		return formats.Route{}, errorf(formats.ErrBadPath, CodeUnsupported, "no endpoint at this path")
	}
	head, last := formats.CutLast(p)    // NAME/blobs/uploads, ID
	name, verb := formats.CutLast(head) // NAME/blobs, uploads
	switch {
	case name == "":
	case verb == "uploads":
		if name, blobs := formats.CutLast(name); blobs == "blobs" && name != "" {
			return f.withName(name, func(name string) (formats.Route, error) { return uploadSession(r, name, last) })
		}
	case verb == "manifests":
		return f.withName(name, func(name string) (formats.Route, error) { return f.manifest(r, name, last, p) })
	case verb == "blobs":
		return f.withName(name, func(name string) (formats.Route, error) { return blob(r, name, last, p) })
	case verb == "tags" && last == "list":
		return f.withName(name, func(name string) (formats.Route, error) { return f.tagList(r, name) })
	case verb == "referrers":
		return f.withName(name, func(name string) (formats.Route, error) { return f.referrers(r, name, last) })
	}
	return formats.Route{}, errorf(formats.ErrBadPath, CodeUnsupported, "no endpoint at this path")
}

func (f Format) withName(name string, fn func(name string) (formats.Route, error)) (formats.Route, error) {
	if !ValidName(name) {
		return formats.Route{}, errorf(formats.ErrBadPath, CodeNameInvalid, "invalid repository name")
	}
	return fn(name)
}

func methodErr(r *http.Request) error {
	return errorf(formats.ErrMethod, CodeUnsupported, "method %s not allowed here", r.Method)
}

func isRead(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }

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
