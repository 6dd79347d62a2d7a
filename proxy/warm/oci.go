package warm

import (
	"encoding/json"
	"strings"

	"hoard/formats/lockfile"
)

// ociAccept names every standard manifest type, as the clients that pull by tag do,
// so the tag's answer is the one cached for all of them.
const ociAccept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, " +
	"application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"

// maxOCIDepth bounds an index of indexes, and referrers of referrers.
const maxOCIDepth = 8

// planOCI asks for each image's manifest by tag (or digest), then the same
// manifest by digest; an index's every platform, an image's config and layers, and
// the referrers of each manifest (signatures, SBOMs) with their own content.
func planOCI(r *run, t Target) {
	for _, s := range t.List.Images {
		ref, err := lockfile.ParseImageRef(s)
		if err != nil {
			r.fail(s, "", err.Error())
			continue
		}
		base := "/v2/" + t.Mount + "/" + ref.Repo
		if ref.Digest != "" {
			ociManifest(r, base, s, ref.Digest, 0)
			continue
		}
		r.do(request{what: s + " tag", path: base + "/manifests/" + ref.Tag, accept: ociAccept, capture: true,
			then: func(body []byte) {
				ociManifest(r, base, s, digestOf(body), 0)
			}})
	}
}

// ociManifest asks for one manifest by digest and what it refers to.
func ociManifest(r *run, base, what, digest string, depth int) {
	if depth > maxOCIDepth {
		r.fail(what, base, "indexes or referrers nested too deep")
		return
	}
	r.do(request{what: what + " manifest " + short(digest), path: base + "/manifests/" + digest, accept: ociAccept, capture: true,
		then: func(body []byte) { ociChildren(r, base, what, body, depth) }})
	r.do(request{what: what + " referrers of " + short(digest), path: base + "/referrers/" + digest, capture: true, optional: true,
		then: func(body []byte) {
			var idx ociDoc
			if json.Unmarshal(body, &idx) != nil {
				return
			}
			for _, m := range idx.Manifests {
				if validDigest(m.Digest) {
					ociManifest(r, base, what+" referrer", m.Digest, depth+1)
				}
			}
		}})
}

type ociDescriptor struct {
	Digest string `json:"digest"`
}

type ociDoc struct {
	Manifests []ociDescriptor `json:"manifests"`
	Config    *ociDescriptor  `json:"config"`
	Layers    []ociDescriptor `json:"layers"`
	Blobs     []ociDescriptor `json:"blobs"` // artifact manifests
	Subject   *ociDescriptor  `json:"subject"`
}

func ociChildren(r *run, base, what string, body []byte, depth int) {
	var doc ociDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		r.fail(what, base, "the manifest is not JSON: "+err.Error())
		return
	}
	for _, m := range doc.Manifests {
		if validDigest(m.Digest) {
			ociManifest(r, base, what, m.Digest, depth+1)
		}
	}
	blobs := append(append([]ociDescriptor(nil), doc.Layers...), doc.Blobs...)
	if doc.Config != nil {
		blobs = append(blobs, *doc.Config)
	}
	for _, b := range blobs {
		if validDigest(b.Digest) {
			r.do(request{what: what + " blob " + short(b.Digest), path: base + "/blobs/" + b.Digest})
		}
	}
}

// digestOf is the sha256 of a manifest's bytes: what the registry names it by.
func digestOf(body []byte) string { return sha256Digest(body) }

func validDigest(d string) bool {
	_, err := lockfile.ParseImageRef("x@" + d)
	return err == nil
}

func short(d string) string {
	if h, ok := strings.CutPrefix(d, "sha256:"); ok && len(h) > 12 {
		return h[:12]
	}
	return d
}
