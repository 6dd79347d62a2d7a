package npm

import (
	"fmt"
	"net/http"
	"strings"

	"hoard/formats"
)

// Accept headers that pick a packument variant upstream. The abbreviated form is what
// installs read; the full form is what npm view, deprecate and humans read.
const (
	acceptAbbrev = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
	acceptFull   = "application/json"
	abbrevType   = "application/vnd.npm.install-v1+json"
)

// Route implements formats.Format. rest is the escaped path after the mount.
func (f Format) Route(r *http.Request, rest string) (formats.Route, error) {
	segs, err := splitPath(rest)
	if err != nil {
		return formats.Route{}, err
	}
	if segs[0] == "-" {
		return specialRoute(r, segs[1:])
	}
	name, tail, err := takeName(segs)
	if err != nil {
		return formats.Route{}, err
	}
	switch {
	case len(tail) == 0:
		return packumentRoute(r, name)
	case len(tail) == 2 && tail[0] == "-rev":
		return revRoute(r, name, tail[1])
	case tail[0] == "-":
		return tarballRoute(r, name, tail[1:])
	case len(tail) == 1:
		// npm view NAME@VERSION and NAME/latest: one version's document, not cached,
		// with its tarball URL rewritten like the packument's.
		if err := validToken("version or tag", tail[0], formats.IsPlainByte); err != nil {
			return formats.Route{}, err
		}
		if !isRead(r) {
			return formats.Route{}, fmt.Errorf("%w: %s", formats.ErrMethod, r.Method)
		}
		return passthrough(r, name, "/"+escapedName(name)+"/"+tail[0]), nil
	}
	return formats.Route{}, fmt.Errorf("%w: no npm endpoint at this path", formats.ErrBadPath)
}

func isRead(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }

func passthrough(r *http.Request, pkg, path string) formats.Route {
	return formats.Route{Kind: formats.Passthrough, Path: path, RawQuery: r.URL.RawQuery, Package: pkg}
}

// RewritesPassthrough implements formats.PassthroughRewriter: the documents a
// client changes and puts back, or reads a tarball URL from, are rewritten like the
// packument (NAME?write=true, and NAME/VERSION or NAME/TAG); the /-/ endpoints
// are relayed as they are.
func (Format) RewritesPassthrough(rt formats.Route) bool {
	if rt.Kind != formats.Passthrough {
		return false
	}
	name, rest, more := strings.Cut(strings.TrimPrefix(rt.Path, "/"), "/")
	switch {
	case name == "-":
		return false
	case !more:
		return rt.RawQuery != "" // only a query makes the packument's path a passthrough
	}
	return !strings.Contains(rest, "/")
}

// Removes implements formats.Remover: a PUT of NAME/-rev/REV puts back a packument
// with versions taken out (the unpublish of one version), which needs the delete
// scope. It parses only Publish routes, so reads never pay for it.
func (Format) Removes(rt formats.Route) bool {
	if rt.Kind != formats.Publish {
		return false
	}
	name, rest, _ := strings.Cut(strings.TrimPrefix(rt.Path, "/"), "/")
	return name != "-" && strings.HasPrefix(rest, "-rev/")
}

// packumentKeys are both cached variants of a package's document: what every change
// to the package invalidates.
func packumentKeys(name string) []string {
	return []string{"pkg/" + name, "pkg/" + name + "@abbrev"}
}

// packument is the cached document of one variant. It runs on every packument
// hit, so it builds only what the variant needs.
func packument(name string, abbrev bool) formats.Route {
	full := "pkg/" + name
	rt := formats.Route{
		Kind: formats.Metadata, Key: full, Path: "/" + escapedName(name), Package: name,
		TTLClass: "packument", ContentType: "application/json", UpstreamHeader: acceptFullHeader,
	}
	if abbrev {
		rt.Key, rt.ContentType = full+"@abbrev", abbrevType
		rt.UpstreamHeader = acceptAbbrevHeader
	}
	return rt
}

// Alternates implements formats.Alternator: the full document is a superset the
// clients accept for the abbreviated one (their Accept names application/json too):
// npm 11 reads the full form, pnpm and yarn the abbreviated one, and one upstream
// fetch serves them all.
func (Format) Alternates(rt formats.Route) []string {
	if full, ok := strings.CutSuffix(rt.Key, "@abbrev"); ok && rt.Kind == formats.Metadata {
		return []string{full}
	}
	return nil
}

// The upstream Accept of each variant, shared by every route: the engine copies
// the values into its requests and never changes them.
var (
	acceptFullHeader   = http.Header{"Accept": {acceptFull}}
	acceptAbbrevHeader = http.Header{"Accept": {acceptAbbrev}}
)

func packumentRoute(r *http.Request, name string) (formats.Route, error) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if r.URL.RawQuery != "" {
			// ?write=true asks for the document with its _rev, to be changed and put
			// back (unpublish, deprecate): always the upstream's current one.
			return passthrough(r, name, "/"+escapedName(name)), nil
		}
		return packument(name, wantsAbbrev(r.Header.Get("Accept"))), nil
	case http.MethodPut:
		// Publish (with _attachments) or a metadata change (deprecate): the body is
		// checked whole before it goes upstream.
		return change(formats.Publish, name, "/"+escapedName(name)), nil
	}
	return formats.Route{}, fmt.Errorf("%w: %s", formats.ErrMethod, r.Method)
}

// wantsAbbrev: npm, pnpm and yarn ask for the abbreviated form first in Accept.
func wantsAbbrev(accept string) bool {
	return strings.Contains(strings.ToLower(accept), abbrevType)
}

// change is a write that is forwarded and, once the upstream took it, drops both
// packument variants (and the extra keys) so the next install sees it at once.
func change(kind formats.Kind, name, path string, extra ...string) formats.Route {
	return formats.Route{
		Kind: kind, Path: path, Package: name, ParseBody: kind == formats.Publish,
		Invalidate: append(packumentKeys(name), extra...), ContentType: "application/json",
	}
}

// revRoute: PUT NAME/-rev/REV puts back a packument with versions removed (unpublish
// of one version); DELETE NAME/-rev/REV unpublishes the whole package.
func revRoute(r *http.Request, name, rev string) (formats.Route, error) {
	if err := validToken("revision", rev, formats.IsPlainByte); err != nil {
		return formats.Route{}, err
	}
	path := "/" + escapedName(name) + "/-rev/" + rev
	switch r.Method {
	case http.MethodPut:
		// Versions are taken out of the document: the delete scope (Removes).
		return change(formats.Publish, name, path), nil
	case http.MethodDelete:
		return change(formats.Delete, name, path), nil
	}
	return formats.Route{}, fmt.Errorf("%w: %s", formats.ErrMethod, r.Method)
}

// specialRoute serves the /-/ endpoints: dist-tag changes invalidate the packument;
// everything else (ping, whoami, search, login, audit, tokens, access) passes through
// with the caller's credentials and query.
func specialRoute(r *http.Request, segs []string) (formats.Route, error) {
	if len(segs) == 0 {
		return formats.Route{}, fmt.Errorf("%w: no npm endpoint at this path", formats.ErrBadPath)
	}
	path := "/-" + escapeSegs(segs)
	if segs[0] != "package" {
		return passthrough(r, "", path), nil
	}
	name, tail, err := takeName(segs[1:])
	if err != nil {
		return formats.Route{}, err
	}
	prefix := "/-/package/" + escapedName(name)
	if len(tail) == 2 && tail[0] == "dist-tags" && !isRead(r) {
		if err := validToken("dist-tag", tail[1], formats.IsPlainByte); err != nil {
			return formats.Route{}, err
		}
		path = prefix + "/dist-tags/" + tail[1]
		switch r.Method {
		case http.MethodPut, http.MethodPost:
			return change(formats.Publish, name, path), nil
		case http.MethodDelete:
			return change(formats.Delete, name, path), nil
		}
		return formats.Route{}, fmt.Errorf("%w: %s", formats.ErrMethod, r.Method)
	}
	if len(tail) == 1 && tail[0] == "dist-tags" && !isRead(r) {
		return change(formats.Publish, name, prefix+"/dist-tags"), nil
	}
	return passthrough(r, name, prefix+escapeSegs(tail)), nil
}

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
