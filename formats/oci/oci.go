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

// Format is the OCI distribution protocol. Its only state is the per-repository
// generation that keeps cached tags, tag lists and referrers from outliving a push
// or delete made through this Hoard.
type Format struct{ gens *generations }

// New returns the OCI format.
func New() Format { return Format{gens: newGenerations()} }

// Name implements formats.Format.
func (Format) Name() string { return "oci" }

// FallThrough: one repository lives at one upstream.
func (Format) FallThrough() bool { return false }

// Challenge implements formats.Challenger: docker, podman, containerd, skopeo and
// crane all answer Basic with the credentials they hold for the registry.
func (Format) Challenge() string { return `Basic realm="hoard"` }

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

// Route implements formats.Format.
func (f Format) Route(r *http.Request, rest string) (formats.Route, error) {
	trailing := len(rest) > 1 && strings.HasSuffix(rest, "/")
	segs, err := formats.Segments(strings.TrimSuffix(rest, "/"), isRefByte)
	if err != nil {
		return formats.Route{}, errorf(formats.ErrBadPath, CodeNameInvalid, "%v", err)
	}
	n := len(segs)
	if n >= 3 && segs[n-2] == "blobs" && segs[n-1] == "uploads" {
		return f.withName(segs[:n-2], func(name string) (formats.Route, error) { return uploadStart(r, name) })
	}
	if trailing {
		return formats.Route{}, errorf(formats.ErrBadPath, CodeUnsupported, "no endpoint at this path")
	}
	switch {
	case n >= 4 && segs[n-3] == "blobs" && segs[n-2] == "uploads":
		return f.withName(segs[:n-3], func(name string) (formats.Route, error) { return uploadSession(r, name, segs[n-1]) })
	case n >= 3 && segs[n-2] == "manifests":
		return f.withName(segs[:n-2], func(name string) (formats.Route, error) { return f.manifest(r, name, segs[n-1]) })
	case n >= 3 && segs[n-2] == "blobs":
		return f.withName(segs[:n-2], func(name string) (formats.Route, error) { return blob(r, name, segs[n-1]) })
	case n >= 3 && segs[n-2] == "tags" && segs[n-1] == "list":
		return f.withName(segs[:n-2], func(name string) (formats.Route, error) { return f.tagList(r, name) })
	case n >= 3 && segs[n-2] == "referrers":
		return f.withName(segs[:n-2], func(name string) (formats.Route, error) { return f.referrers(r, name, segs[n-1]) })
	}
	return formats.Route{}, errorf(formats.ErrBadPath, CodeUnsupported, "no endpoint at this path")
}

func (f Format) withName(segs []string, fn func(name string) (formats.Route, error)) (formats.Route, error) {
	name := strings.Join(segs, "/")
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
