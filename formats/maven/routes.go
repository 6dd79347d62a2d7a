package maven

import (
	"fmt"
	"net/http"
	"path"
	"strings"

	"hoard/formats"
)

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
