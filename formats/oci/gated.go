package oci

import (
	"encoding/json"
	"errors"
	"path"
	"strings"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

var (
	_ formats.Gated         = Format{}
	_ formats.TagResolver   = Format{}
	_ formats.VersionFilter = Format{}
)

// Tags is OCI's version scheme for a policy: a range is a tag pattern
// (path.Match: "v1.*", "*-rc*", "latest"), and tags order by their text.
type Tags struct{}

type tagPattern string

func (p tagPattern) Contains(tag string) bool {
	ok, _ := path.Match(string(p), tag)
	return ok
}

// ParseRange implements gate.Scheme.
func (Tags) ParseRange(s string) (gate.Range, error) {
	if s == "" {
		return nil, errors.New("empty tag pattern")
	}
	if _, err := path.Match(s, ""); err != nil {
		return nil, errors.New("bad tag pattern " + s)
	}
	return tagPattern(s), nil
}

// Compare implements gate.Scheme.
func (Tags) Compare(a, b string) int { return strings.Compare(a, b) }

// VersionScheme implements formats.Gated.
func (Format) VersionScheme() gate.Scheme { return Tags{} }

// Subject implements formats.Gated: a manifest names its repository and the tag
// or digest it was asked by ("org/image", "v1.2"); a blob or a tag list its
// repository only.
func (Format) Subject(rt formats.Route) (name, version string, ok bool) {
	if rt.Package == "" || (rt.Kind != formats.Artifact && rt.Kind != formats.Metadata) {
		return "", "", false
	}
	if ref, ok := manifestRef(rt); ok {
		return rt.Package, ref, true
	}
	return rt.Package, "", true
}

// manifestRef is the tag or digest a manifest read names, from its path.
func manifestRef(rt formats.Route) (string, bool) {
	_, ref, ok := strings.Cut(rt.Path, "/manifests/")
	if !ok || ref == "" || strings.Contains(ref, "/") {
		return "", false
	}
	return ref, true
}

// Tag implements formats.TagResolver.
func (Format) Tag(rt formats.Route) (repo, tag string, ok bool) {
	ref, ok := manifestRef(rt)
	if !ok || rt.Kind != formats.Metadata || !ValidTag(ref) {
		return "", "", false
	}
	return rt.Package, ref, true
}

// Digest implements formats.TagResolver.
func (Format) Digest(rt formats.Route) (repo, digest string, ok bool) {
	ref, ok := manifestRef(rt)
	if !ok || rt.Kind != formats.Artifact {
		return "", "", false
	}
	if _, valid := ParseDigest(ref); !valid {
		return "", "", false
	}
	return rt.Package, ref, true
}

// ByDigestPath implements formats.TagResolver.
func (Format) ByDigestPath(repo, digest string) string {
	return "/" + repo + "/manifests/" + digest
}

// ManifestRefs implements formats.TagResolver: an image manifest's config, an
// index's manifests.
func (Format) ManifestRefs(body []byte) (config string, children []string) {
	var m struct {
		Config *struct {
			Digest string `json:"digest"`
		} `json:"config"`
		Manifests []struct {
			Digest string `json:"digest"`
		} `json:"manifests"`
	}
	if json.Unmarshal(body, &m) != nil {
		return "", nil
	}
	if m.Config != nil {
		if _, ok := ParseDigest(m.Config.Digest); ok {
			config = m.Config.Digest
		}
	}
	for _, c := range m.Manifests {
		if _, ok := ParseDigest(c.Digest); ok {
			children = append(children, c.Digest)
		}
	}
	return config, children
}

// BlobPath implements formats.TagResolver.
func (Format) BlobPath(repo, digest string) string { return "/" + repo + "/blobs/" + digest }

// Created implements formats.TagResolver: an image config's created time.
func (Format) Created(config []byte) time.Time {
	var c struct {
		Created time.Time `json:"created"`
	}
	if json.Unmarshal(config, &c) != nil || c.Created.Unix() <= 0 {
		return time.Time{}
	}
	return c.Created
}

// FilterVersions implements formats.VersionFilter for a tag list: the tags a
// policy refuses by pattern leave it. Tags are never dated here: a tag too
// young resolves to an older digest instead (see formats.TagResolver).
func (Format) FilterVersions(rt formats.Route, doc []byte, judge func(string, time.Time) gate.Reason) ([]byte, []formats.Hidden, error) {
	if !strings.HasSuffix(strings.SplitN(rt.Path, "?", 2)[0], "/tags/list") {
		return doc, nil, nil
	}
	var list map[string]json.RawMessage
	var tags []string
	if err := json.Unmarshal(doc, &list); err != nil {
		return nil, nil, err
	}
	if raw, ok := list["tags"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &tags); err != nil {
			return nil, nil, err
		}
	}
	var hidden []formats.Hidden
	kept := []string{}
	for _, t := range tags {
		if reason := judge(t, time.Time{}); reason.Refused() {
			hidden = append(hidden, formats.Hidden{Version: t, Reason: reason})
			continue
		}
		kept = append(kept, t)
	}
	if len(hidden) == 0 {
		return doc, nil, nil
	}
	raw, _ := json.Marshal(kept)
	list["tags"] = raw
	out, err := json.Marshal(list)
	return out, hidden, err
}
