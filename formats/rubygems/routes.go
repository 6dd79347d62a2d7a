package rubygems

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"hoard/formats"
)

// Content types of what Hoard serves when the upstream names none.
const (
	textType   = "text/plain; charset=utf-8"
	binaryType = "application/octet-stream"
)

// The full index files: every release, the latest release of each gem and
// platform, and every prerelease, each a gzipped Marshal array.
var specsFiles = map[string]bool{"specs.4.8.gz": true, "latest_specs.4.8.gz": true, "prerelease_specs.4.8.gz": true}

// Route implements formats.Format. rest is the path after the mount: a prefix the
// upstream needs (GitHub's OWNER, or nothing for a plain gem server) followed by
// an endpoint, which is read from the end of the path. Keys are the clean path
// without its leading slash, so two owners' indexes never share a key.
func (Format) Route(r *http.Request, rest string) (formats.Route, error) {
	if strings.HasSuffix(rest, "/") {
		return rootRoute(r, rest)
	}
	p, err := formats.CleanPath(rest, formats.IsPlainByte)
	if err != nil {
		return formats.Route{}, err
	}
	segs := strings.Split(p[1:], "/")
	if i := apiIndex(segs); i >= 0 {
		return apiRoute(r, segs[:i], segs[i+2:])
	}
	if !isRead(r) {
		return formats.Route{}, fmt.Errorf("%w: %s", formats.ErrMethod, r.Method)
	}
	n := len(segs)
	last := segs[n-1]
	switch {
	case n >= 2 && segs[n-2] == "info":
		if err := validName(last); err != nil {
			return formats.Route{}, err
		}
		return infoRoute(segs[:n-2], last), nil
	case n >= 3 && segs[n-3] == "quick" && segs[n-2] == "Marshal.4.8" && strings.HasSuffix(last, ".gemspec.rz"):
		return fileRoute(segs[:n-3], p, strings.TrimSuffix(last, ".gemspec.rz"))
	case n >= 2 && segs[n-2] == "gems" && strings.HasSuffix(last, ".gem"):
		return fileRoute(segs[:n-2], p, strings.TrimSuffix(last, ".gem"))
	case last == "versions", last == "names":
		return indexRoute(segs, "versions", textType), nil
	case specsFiles[last]:
		return indexRoute(segs, "specs", binaryType), nil
	}
	return formats.Route{}, fmt.Errorf("%w: no RubyGems endpoint at this path", formats.ErrBadPath)
}

// rootRoute is the server's root under a prefix ("/OWNER/"). gem (3.3) sends it a
// HEAD to learn whether the server has a compact index, and reads the full index
// when it fails; later versions ask /versions itself. A HEAD is therefore
// answered as /versions is, from the cached index when the upstream cannot be
// reached, and a GET (a person's browser) is passed through.
func rootRoute(r *http.Request, rest string) (formats.Route, error) {
	var segs []string
	if rest != "/" {
		p, err := formats.CleanPath(strings.TrimSuffix(rest, "/"), formats.IsPlainByte)
		if err != nil {
			return formats.Route{}, err
		}
		segs = strings.Split(p[1:], "/")
	}
	switch r.Method {
	case http.MethodHead:
		return indexRoute(append(segs, "versions"), "versions", textType), nil
	case http.MethodGet:
		if len(segs) == 0 {
			return formats.Route{}, fmt.Errorf("%w: no RubyGems endpoint at the server's root", formats.ErrBadPath)
		}
		prefix := prefixOf(segs)
		return formats.Route{Kind: formats.Passthrough, Path: "/" + prefix, Package: packageOf(prefix, "")}, nil
	}
	return formats.Route{}, fmt.Errorf("%w: %s", formats.ErrMethod, r.Method)
}

func isRead(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }

// prefixOf is the part of a path before its endpoint, as keys and packages carry
// it: "OWNER/" for a GitHub mount, "" for a plain gem server.
func prefixOf(segs []string) string {
	if len(segs) == 0 {
		return ""
	}
	return strings.Join(segs, "/") + "/"
}

// packageOf names a gem for access decisions and upstream selection: OWNER/NAME
// under a prefix, so an owner's private gems never share an access verdict with
// another's. The indexes of a prefix are the package OWNER.
func packageOf(prefix, name string) string {
	if name == "" {
		return strings.TrimSuffix(prefix, "/")
	}
	return prefix + name
}

// indexRoute is one of a prefix's index documents (/versions, /names, the specs).
func indexRoute(segs []string, class, ctype string) formats.Route {
	key := strings.Join(segs, "/")
	return formats.Route{
		Kind: formats.Metadata, Key: key, Path: "/" + key, Package: packageOf(prefixOf(segs[:len(segs)-1]), ""),
		TTLClass: class, ContentType: ctype,
	}
}

// infoRoute is /info/NAME: every version of one gem, its dependencies and the
// SHA-256 of each .gem. It is served byte for byte: /versions names its MD5.
func infoRoute(prefixSegs []string, name string) formats.Route {
	prefix := prefixOf(prefixSegs)
	key := prefix + "info/" + name
	return formats.Route{
		Kind: formats.Metadata, Key: key, Path: "/" + key, Package: packageOf(prefix, name),
		TTLClass: "info", ContentType: textType,
	}
}

// fileRoute is an immutable file named after a gem's full name: the .gem itself or
// its Marshal-ed specification (quick/Marshal.4.8/FULL.gemspec.rz).
func fileRoute(prefixSegs []string, path, stem string) (formats.Route, error) {
	names := splitFullName(stem)
	if len(names) == 0 {
		return formats.Route{}, fmt.Errorf("%w: not a gem file name (NAME-VERSION[-PLATFORM])", formats.ErrBadPath)
	}
	return formats.Route{
		Kind: formats.Artifact, Key: path[1:], Path: path, Package: packageOf(prefixOf(prefixSegs), names[0].name),
		ContentType: binaryType,
	}, nil
}

// apiIndex is where the last "api/v1" of a path starts, or -1.
func apiIndex(segs []string) int {
	for i := len(segs) - 2; i >= 0; i-- {
		if segs[i] == "api" && segs[i+1] == "v1" {
			return i
		}
	}
	return -1
}

// apiRoute serves /api/v1/...: the dependency API (short-lived metadata), push and
// yank (forwarded, their bodies checked first), and other reads passed through.
func apiRoute(r *http.Request, prefixSegs, tail []string) (formats.Route, error) {
	prefix := prefixOf(prefixSegs)
	path := "/" + prefix + "api/v1"
	if len(tail) > 0 {
		path += "/" + strings.Join(tail, "/")
	}
	switch {
	case len(tail) == 1 && tail[0] == "gems" && r.Method == http.MethodPost:
		return change(formats.Publish, prefix, path), nil
	case len(tail) == 2 && tail[0] == "gems" && tail[1] == "yank" && r.Method == http.MethodDelete:
		return change(formats.Delete, prefix, path), nil
	case !isRead(r):
		return formats.Route{}, fmt.Errorf("%w: %s", formats.ErrMethod, r.Method)
	case len(tail) == 1 && (tail[0] == "dependencies" || tail[0] == "dependencies.json"):
		return dependenciesRoute(r, prefix, path)
	}
	return formats.Route{Kind: formats.Passthrough, Path: path, RawQuery: r.URL.RawQuery, Package: packageOf(prefix, "")}, nil
}

// change is a push or a yank: forwarded with its body checked (ParsePublish), and
// once the upstream took it the prefix's indexes are dropped, and the gem's /info
// too (BodyInvalidates), so the next install sees it.
func change(kind formats.Kind, prefix, path string) formats.Route {
	return formats.Route{
		Kind: kind, Path: path, Package: packageOf(prefix, ""), ParseBody: true,
		Invalidate: indexKeys(prefix), ContentType: textType,
	}
}

// indexKeys are the documents of a prefix that list its gems.
func indexKeys(prefix string) []string {
	out := []string{prefix + "versions", prefix + "names"}
	for _, f := range []string{"specs.4.8.gz", "latest_specs.4.8.gz", "prerelease_specs.4.8.gz"} {
		out = append(out, prefix+f)
	}
	return out
}

// maxDependencyNames bounds one dependency API request (Bundler asks for at most
// 100 gems at a time).
const maxDependencyNames = 500

// maxDependencyKey: a longer list is keyed by its digest (cache keys are bounded).
const maxDependencyKey = 1024

// dependenciesRoute is Bundler's fallback when there is no compact index:
// /api/v1/dependencies?gems=a,b. The list is read, checked and written back
// sorted without duplicates, so the same question is one key however asked;
// without gems= it is Bundler's probe of whether the API exists, passed through.
func dependenciesRoute(r *http.Request, prefix, path string) (formats.Route, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil || len(q) > 1 || len(q["gems"]) > 1 {
		return formats.Route{}, fmt.Errorf("%w: the dependency API takes one gems= list", formats.ErrBadPath)
	}
	if len(q) == 0 || q.Get("gems") == "" {
		return formats.Route{Kind: formats.Passthrough, Path: path, Package: packageOf(prefix, "")}, nil
	}
	seen := map[string]bool{}
	var names []string
	for _, n := range strings.Split(q.Get("gems"), ",") {
		if err := validName(n); err != nil {
			return formats.Route{}, err
		}
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	if len(names) > maxDependencyNames {
		return formats.Route{}, fmt.Errorf("%w: more than %d gems in one request", formats.ErrBadPath, maxDependencyNames)
	}
	sort.Strings(names)
	list := strings.Join(names, ",")
	pkg, key := packageOf(prefix, ""), path[1:]+"?gems="+list
	if len(names) == 1 {
		pkg = packageOf(prefix, names[0])
	}
	if len(key) > maxDependencyKey {
		sum := sha256.Sum256([]byte(list))
		key = path[1:] + "?gems-sha256=" + hex.EncodeToString(sum[:])
	}
	return formats.Route{
		Kind: formats.Metadata, Key: key, Path: path + "?" + url.Values{"gems": {list}}.Encode(), Package: pkg,
		TTLClass: "dependencies", ContentType: binaryType,
	}, nil
}
