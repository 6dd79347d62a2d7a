// Package maven speaks the Maven 2 repository layout used by Maven and Gradle:
// release artifacts and their checksums are immutable; maven-metadata.xml and
// SNAPSHOT versions are mutable metadata.
package maven

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"hoard/formats"
)

// Format is the Maven repository protocol. It holds no state.
type Format struct{}

// What the engine may ask of Maven, checked when it compiles.
var (
	_ formats.Format        = Format{}
	_ formats.SidecarLister = Format{}
)

// New returns the Maven format.
func New() Format { return Format{} }

// Name implements formats.Format.
func (Format) Name() string { return "maven" }

// FallThrough: Maven clients expect a group of repositories to be tried in order.
func (Format) FallThrough() bool { return true }

// checksumExts are the sidecar files Maven repositories publish, in the order tried:
// .sha1 first because every Maven deploy writes it and clients ask for it next anyway.
var checksumExts = []struct{ ext, algo string }{
	{".sha1", "sha1"}, {".sha256", "sha256"}, {".sha512", "sha512"},
}

// sidecarSuffixes are files that describe another file rather than being artifacts.
var sidecarSuffixes = []string{".sha1", ".sha256", ".sha512", ".md5", ".asc"}

const metadataFile = "maven-metadata.xml"

// Route implements formats.Format.
func (f Format) Route(r *http.Request, rest string) (formats.Route, error) {
	slashed, err := formats.CleanPath(rest, formats.IsPlainByte)
	if err != nil {
		return formats.Route{}, err
	}
	p := slashed[1:]
	if !strings.Contains(p, "/") {
		return formats.Route{}, fmt.Errorf("%w: path names no artifact", formats.ErrBadPath)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return readRoute(slashed), nil
	case http.MethodPut:
		return publishRoute(slashed), nil
	case http.MethodDelete:
		rt := formats.Route{Kind: formats.Delete, Key: p, Path: slashed, Package: dirOf(p)}
		rt.Invalidate = append([]string{p}, metadataKeys(p)...)
		return rt, nil
	}
	return formats.Route{}, fmt.Errorf("%w: %s", formats.ErrMethod, r.Method)
}

// readRoute is a GET or HEAD of slashed, a clean path led by "/".
func readRoute(slashed string) formats.Route {
	p := slashed[1:]
	rt := formats.Route{Key: p, Path: slashed, Package: dirOf(p), ContentType: contentType(p)}
	switch {
	case isMetadata(p):
		rt.Kind, rt.TTLClass = formats.Metadata, "metadata"
	case isSnapshot(p):
		rt.Kind, rt.TTLClass = formats.Metadata, "snapshot"
	default:
		rt.Kind = formats.Artifact
	}
	return rt
}

// dirOf is path.Dir of a clean relative path, as a substring: the package of
// every route, hits included, without path.Dir's copy.
func dirOf(p string) string {
	if head, _ := formats.CutLast(p); head != "" {
		return head
	}
	return "."
}

// Sidecars implements formats.SidecarLister: the checksum files published next to
// an artifact, listed only when a fill needs them.
func (Format) Sidecars(rt formats.Route) []formats.Sidecar {
	if rt.Kind != formats.Artifact && rt.Kind != formats.Metadata || isSidecar(rt.Key) {
		return nil
	}
	out := make([]formats.Sidecar, 0, len(checksumExts))
	for _, c := range checksumExts {
		out = append(out, formats.Sidecar{Algo: c.algo, Route: readRoute("/" + rt.Key + c.ext)})
	}
	return out
}

// publishRoute is a PUT of slashed, a clean path led by "/".
func publishRoute(slashed string) formats.Route {
	p := slashed[1:]
	mutable := isMetadata(p) || isSnapshot(p)
	rt := formats.Route{
		Kind: formats.Publish, Key: p, Path: slashed, Package: dirOf(p),
		ContentType: contentType(p),
		// Metadata the client uploads is merged upstream; cache only what the upstream
		// serves back, so drop ours instead of keeping the client's copy.
		CacheOnSuccess: !mutable,
	}
	rt.Invalidate = metadataKeys(p)
	if mutable {
		rt.Invalidate = append(rt.Invalidate, p)
	}
	return rt
}

// metadataKeys are the maven-metadata.xml files (and their checksums) that a change
// to p makes stale: the version directory's and the artifact directory's.
func metadataKeys(p string) []string {
	versionDir := path.Dir(p)
	var keys []string
	for _, dir := range []string{versionDir, path.Dir(versionDir)} {
		if dir == "." {
			continue // a path too short to have this directory: no key to name
		}
		m := dir + "/" + metadataFile
		keys = append(keys, m)
		for _, s := range sidecarSuffixes {
			keys = append(keys, m+s)
		}
	}
	return keys
}

func isMetadata(p string) bool { return strings.HasPrefix(path.Base(p), metadataFile) }

func isSnapshot(p string) bool { return strings.Contains(p, "-SNAPSHOT") }

func isSidecar(p string) bool {
	for _, s := range sidecarSuffixes {
		if strings.HasSuffix(p, s) {
			return true
		}
	}
	return false
}

func contentType(p string) string {
	switch {
	case isSidecar(p):
		return "text/plain"
	case strings.HasSuffix(p, ".pom"), strings.HasSuffix(p, ".xml"):
		return "application/xml"
	case strings.HasSuffix(p, ".jar"), strings.HasSuffix(p, ".war"), strings.HasSuffix(p, ".aar"):
		return "application/java-archive"
	case strings.HasSuffix(p, ".module"):
		return "application/vnd.org.gradle.module+json"
	}
	return "application/octet-stream"
}

// WriteError implements formats.Format. Maven and Gradle read only the status code and
// show the body as text.
func (Format) WriteError(w http.ResponseWriter, _ *http.Request, status int, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintln(w, err.Error())
}

// CheckBody refuses an HTML page served in place of an artifact, as misconfigured
// upstreams and captive portals do with a 200.
func (Format) CheckBody(rt formats.Route, h http.Header, head []byte) error {
	if strings.HasSuffix(rt.Path, ".html") || strings.HasSuffix(rt.Path, ".htm") {
		return nil
	}
	if strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "text/html") {
		return errors.New("upstream sent an HTML page, not the artifact")
	}
	lead := bytes.ToLower(bytes.TrimLeft(head, " \t\r\n\ufeff"))
	if bytes.HasPrefix(lead, []byte("<!doctype html")) || bytes.HasPrefix(lead, []byte("<html")) {
		return errors.New("upstream sent an HTML page, not the artifact")
	}
	return nil
}
