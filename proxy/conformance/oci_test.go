package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	"hoard/formats"
	"hoard/formats/oci"
)

func TestOCI(t *testing.T) { Run(t, ociSubject()) }

func ociSubject() Subject {
	blob := []byte("a layer's bytes")
	blobDigest := sha256Digest(blob)
	manifest := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",` +
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"` + blobDigest + `","size":15},"layers":[]}`)
	manifestDigest := sha256Digest(manifest)
	missing := sha256Digest([]byte("no such layer"))
	manifestType := http.Header{"Content-Type": {oci.MediaOCIManifest}}
	return Subject{
		New:       func() formats.Format { return oci.New() },
		ErrorType: "application/json",
		Samples: []Sample{
			{Request{Path: "/lib/img/blobs/" + blobDigest}, formats.Artifact, "lib/img/blobs/" + blobDigest},
			{Request{Path: "/lib/img/manifests/" + manifestDigest}, formats.Artifact, "lib/img/manifests/" + manifestDigest},
			{Request{Path: "/lib/img/manifests/v1"}, formats.Metadata, "lib/img/manifests/v1"},
			{Request{Path: "/lib/img/tags/list"}, formats.Metadata, "lib/img/tags/list"},
			{Request{Path: "/lib/img/referrers/" + manifestDigest}, formats.Metadata, "lib/img/referrers/" + manifestDigest},
			{Request{Method: http.MethodPost, Path: "/lib/img/blobs/uploads/"}, formats.Publish, ""},
			// Last: a push or delete moves the repository's generation, and with it
			// the keys of its tags.
			{Request{Method: http.MethodPut, Path: "/lib/img/manifests/v1", Header: manifestType}, formats.Publish, ""},
			{Request{Method: http.MethodDelete, Path: "/lib/img/manifests/" + manifestDigest}, formats.Delete,
				"lib/img/manifests/" + manifestDigest},
		},
		Traits: map[string][]Trait{
			"GET /lib/img/manifests/" + manifestDigest: {ReadsWhole},
			"GET /lib/img/manifests/v1":                {ReadsWhole},
		},
		Publish: &Request{Method: http.MethodPut, Path: "/lib/img/manifests/v1", Header: manifestType, Body: manifest},
		HostilePublish: [][]byte{
			[]byte(`{"schemaVersion":2,"manifests":[],"layers":[]}`),
			[]byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","layers":[]}`),
		},
		Upstream: map[string]Fixture{
			"/v2/": {Body: []byte("{}"), Header: http.Header{"Content-Type": {"application/json"}}},
			"/v2/lib/img/manifests/v1": {Body: manifest, Header: http.Header{
				"Content-Type": {oci.MediaOCIManifest}, "Docker-Content-Digest": {manifestDigest}}},
			"/v2/lib/img/blobs/" + blobDigest: {Body: blob, Header: http.Header{"Content-Type": {"application/octet-stream"}}},
		},
		Artifact: Request{Path: "/lib/img/blobs/" + blobDigest},
		Metadata: Request{Path: "/lib/img/manifests/v1"},
		Missing:  Request{Path: "/lib/img/blobs/" + missing},
	}
}

func sha256Digest(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}
