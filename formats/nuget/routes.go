package nuget

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"hoard/formats"
)

// Resource slugs: the path segment after the feed that names each resource Hoard
// serves, in its own service index and in the symbolic upstream paths its
// transport resolves (upstream.go).
const (
	slugDownload = "download"             // PackageBaseAddress/3.0.0: the flat container
	slugReg      = "registration"         // RegistrationsBaseUrl, /3.0.0-beta, /3.0.0-rc
	slugRegGz    = "registration-gz"      // RegistrationsBaseUrl/3.4.0 (gzip upstream, plain here)
	slugRegSemV2 = "registration-semver2" // RegistrationsBaseUrl/3.6.0 (SemVer 2 packages too)
	slugQuery    = "query"                // SearchQueryService
	slugComplete = "autocomplete"         // SearchAutocompleteService
	indexFile    = "index.json"
)

// publishPath is PackagePublish/2.0.0 under the feed, as nuget.org spells it.
var publishPath = []string{"api", "v2", "package"}

var regSlugs = map[string]bool{slugReg: true, slugRegGz: true, slugRegSemV2: true}

// Route implements formats.Format. rest is the escaped path after the mount; its
// first segment is the feed: a GitHub owner, or "v3" for a mount of a plain feed.
func (f Format) Route(r *http.Request, rest string) (formats.Route, error) {
	segs, err := splitPath(rest)
	if err != nil {
		return formats.Route{}, err
	}
	if err := validFeed(segs[0]); err != nil {
		return formats.Route{}, err
	}
	feed, tail := strings.ToLower(segs[0]), segs[1:]
	switch {
	case len(tail) == 0 || len(tail) == len(publishPath) && isPublishPath(tail):
		return publishRoute(r, feed)
	case len(tail) == 5 && isPublishPath(tail):
		return changeRoute(r, feed, tail[3], tail[4])
	case len(tail) == 2 && (r.Method == http.MethodDelete || r.Method == http.MethodPost):
		// GitHub's publish resource is the feed itself: FEED/ID/VERSION.
		return changeRoute(r, feed, tail[0], tail[1])
	}
	if !isRead(r) {
		return formats.Route{}, fmt.Errorf("%w: %s", formats.ErrMethod, r.Method)
	}
	switch {
	case len(tail) == 1 && tail[0] == indexFile:
		return serviceIndex(feed), nil
	case len(tail) == 1 && (tail[0] == slugQuery || tail[0] == slugComplete):
		return searchRoute(r, feed, tail[0])
	case tail[0] == slugDownload:
		return flatRoute(feed, tail[1:])
	case regSlugs[tail[0]]:
		return registrationRoute(feed, tail[0], tail[1:])
	}
	return formats.Route{}, fmt.Errorf("%w: no NuGet resource at this path", formats.ErrBadPath)
}

// splitPath decodes rest into segments; one trailing slash is dropped (the
// publish resource is addressed with and without it).
func splitPath(rest string) ([]string, error) {
	if len(rest) > 1 && strings.HasSuffix(rest, "/") {
		rest = rest[:len(rest)-1]
	}
	if rest == "/" || rest == "" {
		return nil, fmt.Errorf("%w: no feed in the path (try /v3/index.json or /OWNER/index.json)", formats.ErrBadPath)
	}
	return formats.Segments(rest, isPathByte)
}

func isPathByte(c byte) bool { return isIDByte(c) || c == '+' }

func isPublishPath(tail []string) bool {
	if len(tail) < len(publishPath) {
		return false
	}
	for i, s := range publishPath {
		if tail[i] != s {
			return false
		}
	}
	return true
}

func isRead(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }

// serviceIndex is Hoard's own service index of a feed: it is made from the
// upstream's (Rewrite lists Hoard's resources for those the upstream offers), so it
// is cached, revalidated and served stale like other metadata.
func serviceIndex(feed string) formats.Route {
	return formats.Route{
		Kind: formats.Metadata, Key: feed + "/" + indexFile, Path: "/" + feed + "/" + indexFile,
		TTLClass: "index", ContentType: jsonType,
	}
}

const jsonType = "application/json"

// flatRoute reads the flat container: a versions index, a .nupkg or a .nuspec.
func flatRoute(feed string, tail []string) (formats.Route, error) {
	if len(tail) == 0 {
		return formats.Route{}, fmt.Errorf("%w: no package id", formats.ErrBadPath)
	}
	id, err := normalID(tail[0])
	if err != nil {
		return formats.Route{}, err
	}
	switch {
	case len(tail) == 2 && tail[1] == indexFile:
		return versionsRoute(feed, id), nil
	case len(tail) == 3:
		ver, err := normalVersion(tail[1])
		if err != nil {
			return formats.Route{}, err
		}
		switch file := strings.ToLower(tail[2]); {
		case isNupkgFile(file, id, tail[1], ver):
			return nupkgRoute(feed, id, ver), nil
		case file == id+".nuspec":
			return nuspecRoute(feed, id, ver), nil
		}
		return formats.Route{}, fmt.Errorf("%w: file %q is neither %s.%s.nupkg nor %s.nuspec", formats.ErrBadPath, clip(tail[2]), id, ver, id)
	}
	return formats.Route{}, fmt.Errorf("%w: no flat container resource at this path", formats.ErrBadPath)
}

// isNupkgFile: the file name names the same id and version as the path, in the
// normalized form or as the path spells the version.
func isNupkgFile(file, id, rawVer, ver string) bool {
	stem, ok := strings.CutSuffix(file, ".nupkg")
	return ok && (stem == id+"."+ver || stem == id+"."+strings.ToLower(rawVer))
}

func versionsRoute(feed, id string) formats.Route {
	p := "/" + feed + "/" + slugDownload + "/" + id + "/" + indexFile
	return formats.Route{Kind: formats.Metadata, Key: p[1:], Path: p, Package: id, TTLClass: "versions", ContentType: jsonType}
}

func nupkgRoute(feed, id, ver string) formats.Route {
	p := "/" + feed + "/" + slugDownload + "/" + id + "/" + ver + "/" + id + "." + ver + ".nupkg"
	return formats.Route{Kind: formats.Artifact, Key: p[1:], Path: p, Package: id, ContentType: "application/octet-stream"}
}

// ReadsWhole implements formats.WholeReader: a .nupkg is checked as a zip whose
// .nuspec names this id and version (Rewrite) before it is cached.
func (Format) ReadsWhole(rt formats.Route) bool {
	return rt.Kind == formats.Artifact && strings.HasSuffix(rt.Key, ".nupkg")
}

func nuspecRoute(feed, id, ver string) formats.Route {
	p := "/" + feed + "/" + slugDownload + "/" + id + "/" + ver + "/" + id + ".nuspec"
	return formats.Route{Kind: formats.Artifact, Key: p[1:], Path: p, Package: id, ContentType: "application/xml"}
}

// registrationRoute reads a registration index, a page of one, or a leaf.
func registrationRoute(feed, slug string, tail []string) (formats.Route, error) {
	if len(tail) < 2 {
		return formats.Route{}, fmt.Errorf("%w: no registration resource at this path", formats.ErrBadPath)
	}
	id, err := normalID(tail[0])
	if err != nil {
		return formats.Route{}, err
	}
	var rel string
	switch {
	case len(tail) == 2 && tail[1] == indexFile:
		rel = indexFile
	case len(tail) == 2 && strings.HasSuffix(tail[1], ".json"):
		ver, err := normalVersion(strings.TrimSuffix(tail[1], ".json"))
		if err != nil {
			return formats.Route{}, err
		}
		rel = ver + ".json"
	case len(tail) == 4 && tail[1] == "page" && strings.HasSuffix(tail[3], ".json"):
		lo, err1 := normalVersion(tail[2])
		hi, err2 := normalVersion(strings.TrimSuffix(tail[3], ".json"))
		if err1 != nil || err2 != nil {
			return formats.Route{}, fmt.Errorf("%w: registration page bounds are not versions", formats.ErrBadPath)
		}
		rel = "page/" + lo + "/" + hi + ".json"
	default:
		return formats.Route{}, fmt.Errorf("%w: no registration resource at this path", formats.ErrBadPath)
	}
	return registration(feed, slug, id, rel), nil
}

func registration(feed, slug, id, rel string) formats.Route {
	p := "/" + feed + "/" + slug + "/" + id + "/" + rel
	return formats.Route{Kind: formats.Metadata, Key: p[1:], Path: p, Package: id, TTLClass: "registration", ContentType: jsonType}
}

// searchParams are the query parameters of search and autocomplete, by their
// lower-case name, in the protocol's spelling; any other is dropped, so a key names
// only what changes the answer.
var searchParams = map[string]string{
	"q": "q", "skip": "skip", "take": "take", "prerelease": "prerelease", "semverlevel": "semVerLevel",
	"packagetype": "packageType", "id": "id",
}

// maxQueryLen bounds a search query's canonical form.
const maxQueryLen = 1024

// searchRoute: search and autocomplete answers are metadata keyed by their
// canonical query (known parameters, sorted, re-encoded).
func searchRoute(r *http.Request, feed, what string) (formats.Route, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return formats.Route{}, fmt.Errorf("%w: malformed query", formats.ErrBadPath)
	}
	keep := url.Values{}
	for k, vs := range q {
		if name, ok := searchParams[strings.ToLower(k)]; ok && len(vs) > 0 {
			keep.Set(name, vs[0])
		}
	}
	canon := keep.Encode() // sorted by key, every byte escaped
	if len(canon) > maxQueryLen {
		return formats.Route{}, fmt.Errorf("%w: query longer than %d bytes", formats.ErrBadPath, maxQueryLen)
	}
	p := "/" + feed + "/" + what
	if canon != "" {
		p += "?" + canon
	}
	return formats.Route{Kind: formats.Metadata, Key: p[1:], Path: p, TTLClass: "search", ContentType: jsonType}, nil
}

// publishRoute: a push (PUT, a multipart body carrying the .nupkg), checked whole
// before it goes upstream.
func publishRoute(r *http.Request, feed string) (formats.Route, error) {
	if r.Method != http.MethodPut {
		return formats.Route{}, fmt.Errorf("%w: %s (push is a PUT)", formats.ErrMethod, r.Method)
	}
	// The package is in the body: the route names the feed it goes to, so that a
	// push refused before the body is read is audited with where it was aimed.
	return formats.Route{
		Kind: formats.Publish, Path: "/" + feed + "/" + strings.Join(publishPath, "/"),
		Package: feed, ParseBody: true, ContentType: jsonType,
	}, nil
}

// changeRoute: DELETE deletes (or unlists) a version, POST relists it; both renew
// the package's metadata once the upstream took them.
func changeRoute(r *http.Request, feed, rawID, rawVer string) (formats.Route, error) {
	id, err := normalID(rawID)
	if err != nil {
		return formats.Route{}, err
	}
	ver, err := normalVersion(rawVer)
	if err != nil {
		return formats.Route{}, err
	}
	rt := formats.Route{
		Path:    "/" + feed + "/" + strings.Join(publishPath, "/") + "/" + id + "/" + ver,
		Package: id, Invalidate: metadataKeys(feed, id), ContentType: jsonType,
	}
	switch r.Method {
	case http.MethodDelete:
		rt.Kind = formats.Delete
		rt.Invalidate = append(rt.Invalidate, nupkgRoute(feed, id, ver).Key, nuspecRoute(feed, id, ver).Key)
	case http.MethodPost:
		rt.Kind = formats.Publish
	default:
		return formats.Route{}, fmt.Errorf("%w: %s", formats.ErrMethod, r.Method)
	}
	return rt, nil
}

// metadataKeys are the cached documents of one id that a change makes stale: its
// versions index and registration indexes (pages and leaves are reached through
// the index, whose new copy names the pages as they are now).
func metadataKeys(feed, id string) []string {
	keys := []string{versionsRoute(feed, id).Key}
	slugs := make([]string, 0, len(regSlugs))
	for s := range regSlugs {
		slugs = append(slugs, s)
	}
	sort.Strings(slugs)
	for _, s := range slugs {
		keys = append(keys, registration(feed, s, id, indexFile).Key)
	}
	return keys
}
