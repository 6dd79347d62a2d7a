package npm

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"hoard/formats"
)

// Tarball paths, after the mount, take one of two forms:
//
//	/NAME/-/FILE.tgz      the registry layout (the public registry, Verdaccio); the
//	                      upstream path is the same, relative to the upstream base.
//	/NAME/-/dl/PATH...    any other layout (GitHub Packages serves
//	                      /download/@OWNER/PKG/VERSION/DIGEST): PATH is the upstream
//	                      tarball's path, relative to the upstream base.
//
// Either way only the path is kept from a packument's dist.tarball: the host is
// always the mount's configured upstream. Cache keys carry the full name, scope
// included, so the same file name in two scopes never collides.
const dlSegment = "dl"

func tarballRoute(r *http.Request, name string, tail []string) (formats.Route, error) {
	if len(tail) == 0 {
		return formats.Route{}, fmt.Errorf("%w: no tarball named", formats.ErrBadPath)
	}
	if r.Method == http.MethodDelete {
		// DELETE NAME/-/FILE.tgz/-rev/REV removes one version's tarball (the last
		// step of unpublishing a version).
		if len(tail) != 3 || tail[1] != "-rev" {
			return formats.Route{}, fmt.Errorf("%w: tarball delete needs /-rev/REV", formats.ErrBadPath)
		}
		if err := validFile(tail[0]); err != nil {
			return formats.Route{}, err
		}
		if err := validToken("revision", tail[2], formats.IsPlainByte); err != nil {
			return formats.Route{}, err
		}
		path := "/" + escapedName(name) + "/-/" + tail[0] + "/-rev/" + tail[2]
		return change(formats.Delete, name, path, tarballKey(name, tail[:1])), nil
	}
	if !isRead(r) {
		return formats.Route{}, fmt.Errorf("%w: %s", formats.ErrMethod, r.Method)
	}
	var upstreamPath string
	switch {
	case len(tail) == 1:
		if err := validFile(tail[0]); err != nil {
			return formats.Route{}, err
		}
		upstreamPath = "/" + name + "/-/" + tail[0]
	case tail[0] == dlSegment:
		for _, s := range tail[1:] {
			if err := validToken("tarball path segment", s, isDLByte); err != nil {
				return formats.Route{}, err
			}
		}
		upstreamPath = escapeSegs(tail[1:])
	default:
		return formats.Route{}, fmt.Errorf("%w: no npm endpoint at this path", formats.ErrBadPath)
	}
	return formats.Route{
		Kind: formats.Artifact, Key: tarballKey(name, tail), Path: upstreamPath, Package: name,
		ContentType: "application/octet-stream",
	}, nil
}

// Sidecars implements formats.SidecarLister: a tarball's checksum is its version's
// dist.integrity in the packument. The abbreviated packument is what installs fetch
// (so it is usually cached already); the full one is asked only if the abbreviated
// lacks the version.
func (Format) Sidecars(rt formats.Route) []formats.Sidecar {
	tail, ok := strings.CutPrefix(rt.Key, tarballKeyPrefix+rt.Package+"/")
	if !ok || rt.Kind != formats.Artifact {
		return nil
	}
	rel := "/" + rt.Package + "/-" + escapeSegs(strings.Split(tail, "/")) // what Rewrite put after the mount's URL
	return []formats.Sidecar{
		{Algo: "sha512", Route: packument(rt.Package, true), Entry: rel},
		{Algo: "sha512", Route: packument(rt.Package, false), Entry: rel},
	}
}

// tarballKeyPrefix starts every tarball's cache key.
const tarballKeyPrefix = "tgz/"

func tarballKey(name string, tail []string) string {
	return tarballKeyPrefix + name + "/" + strings.Join(tail, "/")
}

// validFile accepts a tarball file name: plain bytes ending in .tgz.
func validFile(f string) error {
	if err := validToken("tarball file name", f, formats.IsPlainByte); err != nil {
		return err
	}
	if !strings.HasSuffix(f, ".tgz") || len(f) == len(".tgz") {
		return fmt.Errorf("%w: tarball file name %q does not end in .tgz", formats.ErrBadPath, f)
	}
	return nil
}

// isDLByte allows what other registries' tarball paths carry: scopes and plain bytes.
func isDLByte(c byte) bool { return formats.IsPlainByte(c) || c == '@' }

// tarballRel maps a packument's dist.tarball to the path after the mount that
// Hoard serves it at. ok is false when the URL is unusable.
func tarballRel(name, tarball string) (string, bool) {
	u, err := url.Parse(tarball)
	if err != nil || u.EscapedPath() == "" {
		return "", false
	}
	segs, err := splitPath(u.EscapedPath())
	if err != nil {
		return "", false
	}
	n := len(segs)
	if n >= 3 && segs[n-2] == "-" && validFile(segs[n-1]) == nil {
		owner := segs[n-3]
		scoped := n >= 4 && strings.HasPrefix(segs[n-4], "@")
		if scoped {
			owner = segs[n-4] + "/" + segs[n-3]
		}
		if owner == name && scoped == strings.HasPrefix(name, "@") {
			return "/" + name + "/-/" + segs[n-1], true
		}
	}
	for _, s := range segs {
		if validToken("tarball path segment", s, isDLByte) != nil {
			return "", false
		}
	}
	return "/" + name + "/-/" + dlSegment + escapeSegs(segs), true
}
