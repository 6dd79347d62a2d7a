package oci

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"hoard/formats"
)

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

func expectOf(d Digest) []formats.Checksum { return []formats.Checksum{{Algo: d.Algo, Hex: d.Hex}} }

// ReadsWhole implements formats.WholeReader: a manifest, by digest or by tag, is a
// document checked (Rewrite) before it is cached, and a HEAD of one must name its
// digest. Every endpoint is NAME/ENDPOINT/REF, so the segment before the last says
// which one a path is, whatever segments the name has.
func (Format) ReadsWhole(rt formats.Route) bool {
	if rt.Kind != formats.Artifact && rt.Kind != formats.Metadata {
		return false
	}
	dir, _, _ := cutLast(rt.Path)
	_, endpoint, _ := cutLast(dir)
	return endpoint == "manifests"
}

// cutLast splits p at its last slash.
func cutLast(p string) (before, after string, found bool) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return p, "", false
	}
	return p[:i], p[i+1:], true
}

// manifest routes /NAME/manifests/REF; key is that path without its leading slash.
func (f Format) manifest(r *http.Request, name, ref, key string) (formats.Route, error) {
	path := "/v2/" + key
	var d Digest
	if looksLikeDigest(ref) {
		var ok bool
		if d, ok = ParseDigest(ref); !ok {
			return formats.Route{}, errorf(formats.ErrBadPath, CodeDigestInvalid, "invalid digest")
		}
	} else if !ValidTag(ref) {
		return formats.Route{}, errorf(formats.ErrBadPath, CodeManifestInvalid, "invalid tag")
	}
	tagKey := f.gens.key(name, key)
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		ma := f.accepts.of(r.Header)
		accept := ma.upstream
		switch {
		case d.Algo == "sha256":
			return formats.Route{Kind: formats.Artifact, Key: key, Path: path, Package: name,
				Expect: expectOf(d), UpstreamHeader: accept}, nil
		case d.Algo != "":
			// The cache names content by sha256, which would be the wrong digest to
			// serve for a sha512 reference: forwarded, not cached.
			return formats.Route{Kind: formats.Passthrough, Path: path, Package: name}, nil
		case ma.cacheable && ma.variant != "":
			// A client that takes only some manifest types: the canonical variant if
			// its type is one of them, else what the upstream picks for exactly
			// those, cached as a variant of its own.
			return formats.Route{Kind: formats.Metadata, TTLClass: "tag", Key: tagKey + variantSep + ma.variant, Path: path,
				Package: name, UpstreamHeader: accept, AcceptTypes: ma.types}, nil
		case ma.cacheable:
			return formats.Route{Kind: formats.Metadata, TTLClass: "tag", Key: tagKey, Path: path, Package: name,
				UpstreamHeader: accept}, nil
		}
		// An Accept too long to name a variant: forwarded, never cached.
		return formats.Route{Kind: formats.Passthrough, Path: path, Package: name}, nil
	case http.MethodPut:
		rt := formats.Route{Kind: formats.Publish, Path: path, Package: name, ParseBody: true,
			ContentType: r.Header.Get("Content-Type"), RawQuery: tagParams(r.URL.Query())}
		if d.Algo != "" {
			rt.Expect = expectOf(d)
		}
		rt.Invalidate = []string{tagKey}
		f.gens.bump(name)
		return rt, nil
	case http.MethodDelete:
		f.gens.bump(name)
		return formats.Route{Kind: formats.Delete, Key: key, Path: path, Package: name,
			Invalidate: []string{tagKey, key}}, nil
	}
	return formats.Route{}, methodErr(r)
}

// tagParams keeps the valid ?tag= parameters of a push by digest (distribution-spec 1.1).
func tagParams(q url.Values) string {
	out := url.Values{}
	for _, t := range q["tag"] {
		if ValidTag(t) {
			out.Add("tag", t)
		}
	}
	return out.Encode()
}

// blob routes /NAME/blobs/DIGEST; key is that path without its leading slash.
func blob(r *http.Request, name, ref, key string) (formats.Route, error) {
	d, ok := ParseDigest(ref)
	if !ok {
		return formats.Route{}, errorf(formats.ErrBadPath, CodeDigestInvalid, "invalid digest")
	}
	path := "/v2/" + key
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if d.Algo != "sha256" {
			return formats.Route{Kind: formats.Passthrough, Path: path, Package: name}, nil
		}
		return formats.Route{Kind: formats.Artifact, Key: key, Path: path, Package: name, Expect: expectOf(d),
			ContentType: "application/octet-stream"}, nil
	case http.MethodDelete:
		return formats.Route{Kind: formats.Delete, Key: key, Path: path, Package: name, Invalidate: []string{key}}, nil
	}
	return formats.Route{}, methodErr(r)
}

// uploadStart routes POST /NAME/blobs/uploads/: a new upload, a monolithic upload
// (?digest=) or a cross-repository mount (?mount=&from=).
func uploadStart(r *http.Request, name string) (formats.Route, error) {
	if r.Method != http.MethodPost {
		return formats.Route{}, methodErr(r)
	}
	q := r.URL.Query()
	out := url.Values{}
	rt := formats.Route{Kind: formats.Publish, Path: "/v2/" + name + "/blobs/uploads/", Package: name}
	if v := q.Get("digest"); v != "" {
		d, ok := ParseDigest(v)
		if !ok {
			return formats.Route{}, errorf(formats.ErrBadPath, CodeDigestInvalid, "invalid digest")
		}
		out.Set("digest", v)
		if d.Algo == "sha256" && r.ContentLength > 0 {
			rt.Key, rt.CacheOnSuccess, rt.Expect = name+"/blobs/"+v, true, expectOf(d)
			rt.ContentType, rt.Invalidate = "application/octet-stream", []string{rt.Key}
		}
	}
	if v := q.Get("mount"); v != "" {
		if _, ok := ParseDigest(v); !ok {
			return formats.Route{}, errorf(formats.ErrBadPath, CodeDigestInvalid, "invalid mount digest")
		}
		out.Set("mount", v)
		if from := q.Get("from"); from != "" {
			if !ValidName(from) {
				return formats.Route{}, errorf(formats.ErrBadPath, CodeNameInvalid, "invalid from repository")
			}
			out.Set("from", from)
		}
	}
	rt.RawQuery = out.Encode()
	return rt, nil
}

// maxUploadRef bounds an upload session id (the upstream's opaque reference).
const maxUploadRef = 512

// uploadSession routes /NAME/blobs/uploads/REF: status (GET), a chunk (PATCH), the
// closing PUT ?digest= (with the last chunk or the whole blob) and cancel (DELETE).
// The upstream's own query (its upload state) goes back to it unchanged.
func uploadSession(r *http.Request, name, ref string) (formats.Route, error) {
	if len(ref) > maxUploadRef {
		return formats.Route{}, errorf(formats.ErrBadPath, CodeBlobUploadInvalid, "invalid upload reference")
	}
	q := r.URL.Query()
	rt := formats.Route{Kind: formats.Publish, Path: "/v2/" + name + "/blobs/uploads/" + url.PathEscape(ref),
		Package: name, RawQuery: q.Encode()}
	switch r.Method {
	case http.MethodGet:
		rt.Kind = formats.Passthrough
		return rt, nil
	case http.MethodPatch, http.MethodDelete:
		return rt, nil
	case http.MethodPut:
		d, ok := ParseDigest(q.Get("digest"))
		if !ok {
			return formats.Route{}, errorf(formats.ErrBadPath, CodeDigestInvalid, "invalid or missing digest")
		}
		key := name + "/blobs/" + d.String()
		rt.Invalidate = []string{key}
		// The body is the whole blob only if no chunk came before; the cache writer
		// checks the digest, so a last chunk alone is never cached under it.
		if d.Algo == "sha256" && r.ContentLength > 0 {
			rt.Key, rt.CacheOnSuccess, rt.Expect, rt.ContentType = key, true, expectOf(d), "application/octet-stream"
		}
		return rt, nil
	}
	return formats.Route{}, methodErr(r)
}

// tagList routes /NAME/tags/list. The whole list is cached; a page (?n=) is forwarded
// so the upstream's Link to the next page reaches the client.
func (f Format) tagList(r *http.Request, name string) (formats.Route, error) {
	if !isRead(r) {
		return formats.Route{}, methodErr(r)
	}
	q := r.URL.Query()
	out := url.Values{}
	if v := q.Get("n"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 100000 {
			return formats.Route{}, errorf(formats.ErrBadPath, CodeUnsupported, "invalid n")
		}
		out.Set("n", v)
	}
	if v := q.Get("last"); v != "" {
		if !ValidTag(v) {
			return formats.Route{}, errorf(formats.ErrBadPath, CodeUnsupported, "invalid last")
		}
		out.Set("last", v)
	}
	path := "/v2/" + name + "/tags/list"
	if out.Get("n") != "" {
		return formats.Route{Kind: formats.Passthrough, Path: path, RawQuery: out.Encode(), Package: name}, nil
	}
	key := name + "/tags/list"
	if qs := out.Encode(); qs != "" {
		key, path = key+"?"+qs, path+"?"+qs
	}
	return formats.Route{Kind: formats.Metadata, TTLClass: "tags", Key: f.gens.key(name, key), Path: path,
		Package: name, ContentType: "application/json"}, nil
}

// referrers routes /NAME/referrers/DIGEST[?artifactType=].
func (f Format) referrers(r *http.Request, name, ref string) (formats.Route, error) {
	if !isRead(r) {
		return formats.Route{}, methodErr(r)
	}
	if _, ok := ParseDigest(ref); !ok {
		return formats.Route{}, errorf(formats.ErrBadPath, CodeDigestInvalid, "invalid digest")
	}
	key, path := name+"/referrers/"+ref, "/v2/"+name+"/referrers/"+ref
	if at := r.URL.Query().Get("artifactType"); at != "" {
		if !validMediaType(at) {
			return formats.Route{}, errorf(formats.ErrBadPath, CodeUnsupported, "invalid artifactType")
		}
		qs := url.Values{"artifactType": {at}}.Encode()
		key, path = key+"?"+qs, path+"?"+qs
	}
	return formats.Route{Kind: formats.Metadata, TTLClass: "referrers", Key: f.gens.key(name, key), Path: path,
		Package: name, ContentType: MediaOCIIndex}, nil
}

// RevalidateHead implements formats.HeadRevalidator: a manifest by tag is
// revalidated with a HEAD, which registries do not count against pull rate limits,
// and its Docker-Content-Digest tells whether the tag moved.
func (Format) RevalidateHead(rt formats.Route) string {
	if rt.TTLClass == "tag" {
		return "Docker-Content-Digest"
	}
	return ""
}

// Headers kept with listings: the next page of a tag list, and which filters a
// referrers listing applied.
var (
	tagListHeaders   = []string{"Link"}
	referrersHeaders = []string{"Link", "OCI-Filters-Applied"}
)

// KeepHeaders implements formats.HeaderKeeper.
func (Format) KeepHeaders(rt formats.Route) []string {
	switch rt.TTLClass {
	case "tags":
		return tagListHeaders
	case "referrers":
		return referrersHeaders
	}
	return nil
}
