package oci

import (
	"encoding/json"

	"hoard/formats"
)

// ParsePublish implements formats.PublishParser for a manifest push: the body is
// checked before it goes upstream (size, JSON, not both an index and an image, the
// mediaType against Content-Type, the digest against a by-digest reference), and
// once the upstream accepted it, it is cached under its digest.
func (Format) ParsePublish(rt formats.Route, body []byte) ([]formats.Attachment, error) {
	if len(body) > MaxManifestSize {
		return nil, errorf(formats.ErrBadPath, CodeManifestInvalid, "manifest is larger than 4 MiB")
	}
	if err := checkManifest(body, rt.ContentType); err != nil {
		return nil, errorf(formats.ErrBadPath, CodeManifestInvalid, "%v", err)
	}
	if err := checkExpected(rt, body); err != nil {
		return nil, errorf(formats.ErrBadPath, CodeDigestInvalid, "%v", err)
	}
	ct := rt.ContentType
	if ct == "" {
		var m manifestShape
		_ = json.Unmarshal(body, &m)
		ct = m.MediaType
	}
	d := digestOf("sha256", body)
	return []formats.Attachment{{
		Key: rt.Package + "/manifests/" + d, ContentType: ct, Data: body,
		Expect: []formats.Checksum{{Algo: "sha256", Hex: d[len("sha256:"):]}},
	}}, nil
}
