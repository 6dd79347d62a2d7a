package oci

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"hoard/formats"
)

// Manifest media types every current client (docker, containerd, podman, skopeo,
// crane) accepts. A tag is fetched and cached with all of them asked for.
const (
	MediaOCIManifest    = "application/vnd.oci.image.manifest.v1+json"
	MediaOCIIndex       = "application/vnd.oci.image.index.v1+json"
	MediaDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	MediaDockerList     = "application/vnd.docker.distribution.manifest.list.v2+json"
)

var standardManifestTypes = []string{MediaOCIIndex, MediaOCIManifest, MediaDockerList, MediaDockerManifest}

// MaxManifestSize caps a manifest body, pulled or pushed (the spec's suggested limit).
const MaxManifestSize = 4 << 20

// manifestShape holds the fields that tell an index from an image.
type manifestShape struct {
	MediaType string           `json:"mediaType"`
	Manifests *json.RawMessage `json:"manifests"`
	Config    *json.RawMessage `json:"config"`
	Layers    *json.RawMessage `json:"layers"`
}

var (
	errTooBig        = errors.New("manifest is larger than 4 MiB")
	errNotJSON       = errors.New("manifest is not a JSON object")
	errIndexAndImage = errors.New("manifest is both an index and an image")
)

// checkManifest validates a manifest's bytes: size, JSON, not both an index and an
// image, and a mediaType field, if any, that agrees with contentType (when given).
func checkManifest(body []byte, contentType string) error {
	if len(body) > MaxManifestSize {
		return errTooBig
	}
	var m manifestShape
	if err := json.Unmarshal(body, &m); err != nil || !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return errNotJSON
	}
	if m.Manifests != nil && (m.Config != nil || m.Layers != nil) {
		return errIndexAndImage
	}
	ct := mediaTypeOf(contentType)
	if m.MediaType != "" && ct != "" && m.MediaType != ct {
		return fmt.Errorf("manifest mediaType %q differs from Content-Type %q", m.MediaType, ct)
	}
	switch m.MediaType {
	case MediaOCIIndex, MediaDockerList:
		if m.Config != nil || m.Layers != nil {
			return errIndexAndImage
		}
	case MediaOCIManifest, MediaDockerManifest:
		if m.Manifests != nil {
			return errIndexAndImage
		}
	}
	return nil
}

// mediaTypeOf drops parameters and case from a Content-Type.
func mediaTypeOf(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// digestOf is the digest of body in the given algorithm.
func digestOf(algo string, body []byte) string {
	switch algo {
	case "sha512":
		s := sha512.Sum512(body)
		return "sha512:" + hex.EncodeToString(s[:])
	}
	s := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(s[:])
}

// checkExpected verifies body against the digests the route declares.
func checkExpected(rt formats.Route, body []byte) error {
	for _, c := range rt.Expect {
		if got := digestOf(c.Algo, body); got != c.Algo+":"+c.Hex {
			return fmt.Errorf("content is %s, not the %s:%s asked for", got, c.Algo, c.Hex)
		}
	}
	return nil
}

func isManifestKey(key string) bool { return strings.Contains(key, "/manifests/") }
