package nuget

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"hoard/formats"
)

// Rewrite implements formats.Rewriter. It runs once per fetched document, before it
// is cached: the service index is replaced by Hoard's own; registrations and search
// answers have every URL pointed at Hoard (base is the mount's public URL); a
// versions index is checked; a .nupkg is checked as a zip whose .nuspec names the
// route's id and version, and kept byte for byte.
func (Format) Rewrite(rt formats.Route, body []byte, base string) ([]byte, error) {
	k, err := parseKey(rt.Key)
	if err != nil {
		return nil, err
	}
	switch {
	case k.slug == indexFile:
		return rewriteIndex(body, base, k.feed)
	case k.slug == slugDownload && strings.HasSuffix(k.rest, ".nupkg"):
		if err := checkNupkg(body, k.id, k.version()); err != nil {
			return nil, err
		}
		return body, nil
	case k.slug == slugDownload:
		return checkVersions(body)
	case regSlugs[k.slug]:
		return rewriteRegistration(body, urls{base: base, feed: k.feed, slug: k.slug}, k)
	case k.slug == slugQuery:
		return rewriteSearch(body, urls{base: base, feed: k.feed, slug: slugRegSemV2})
	case k.slug == slugComplete:
		return checkObject(body)
	}
	return nil, fmt.Errorf("no NuGet document at key %q", rt.Key)
}

// docKey is a cache key read back: FEED/SLUG/ID/REST, or FEED/index.json, or
// FEED/query?QUERY.
type docKey struct {
	feed, slug, id, rest string
}

// version is the version a flat container file key names (ID/VERSION/FILE).
func (k docKey) version() string {
	v, _, _ := strings.Cut(k.rest, "/")
	return v
}

func parseKey(key string) (docKey, error) {
	feed, tail, ok := strings.Cut(key, "/")
	if !ok {
		return docKey{}, fmt.Errorf("malformed key %q", key)
	}
	if tail == indexFile {
		return docKey{feed: feed, slug: indexFile}, nil
	}
	if path, _, q := strings.Cut(tail, "?"); q {
		return docKey{feed: feed, slug: path}, nil
	}
	slug, tail, _ := strings.Cut(tail, "/")
	id, rest, _ := strings.Cut(tail, "/")
	return docKey{feed: feed, slug: slug, id: id, rest: rest}, nil
}

// urls builds Hoard's URLs of one feed; slug is the registration type in use.
type urls struct {
	base, feed, slug string
}

func (u urls) regIndex(id string) string { return u.regBase() + id + "/index.json" }
func (u urls) regBase() string           { return resourceURL(u.base, u.feed, u.slug) }
func (u urls) leaf(id, ver string) string {
	return u.regBase() + id + "/" + ver + ".json"
}
func (u urls) page(id, lo, hi string) string {
	return u.regBase() + id + "/page/" + lo + "/" + hi + ".json"
}
func (u urls) nupkg(id, ver string) string {
	return resourceURL(u.base, u.feed, slugDownload) + id + "/" + ver + "/" + id + "." + ver + ".nupkg"
}

// checkVersions: a versions index is {"versions": [strings]}; it is kept as it came.
func checkVersions(body []byte) ([]byte, error) {
	var doc struct {
		Versions []string `json:"versions"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Versions == nil {
		return nil, errors.New("versions index is not {\"versions\": [...]}")
	}
	return body, nil
}

func checkObject(body []byte) ([]byte, error) {
	if _, err := decodeObject(body); err != nil {
		return nil, err
	}
	return body, nil
}

// decodeObject reads a JSON object keeping numbers as they were written.
func decodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errors.New("document is not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("document has trailing data")
	}
	return obj, nil
}

// encode marshals without HTML escaping, so text fields keep their bytes.
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding a document: %w", err)
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// rewriteSearch points every result's registration and version URLs at Hoard.
// Search answers are keyed by query; their registration links use the SemVer 2
// registration, which lists every version a search may return.
func rewriteSearch(body []byte, u urls) ([]byte, error) {
	doc, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	fixContext(doc, u.regBase())
	data, _ := doc["data"].([]any)
	for _, d := range data {
		res, ok := d.(map[string]any)
		if !ok {
			continue
		}
		raw, _ := res["id"].(string)
		id, err := normalID(raw)
		if err != nil {
			return nil, fmt.Errorf("search result with a bad id: %v", err)
		}
		res["@id"] = u.regIndex(id)
		if _, ok := res["registration"]; ok {
			res["registration"] = u.regIndex(id)
		}
		vs, _ := res["versions"].([]any)
		for _, v := range vs {
			vo, ok := v.(map[string]any)
			if !ok {
				continue
			}
			rawVer, _ := vo["version"].(string)
			ver, err := normalVersion(rawVer)
			if err != nil {
				delete(vo, "@id")
				continue
			}
			vo["@id"] = u.leaf(id, ver)
		}
	}
	return encode(doc)
}

// fixContext points a JSON-LD @base at Hoard; other context entries are vocabulary
// names, not locations.
func fixContext(doc map[string]any, base string) {
	if ctx, ok := doc["@context"].(map[string]any); ok {
		if _, ok := ctx["@base"]; ok {
			ctx["@base"] = base
		}
	}
}
