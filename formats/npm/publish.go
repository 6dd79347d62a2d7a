package npm

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"hoard/formats"
)

// maxDepth caps the nesting of a publish body: a package.json is a few levels deep,
// and a body nested thousands deep is an attack on whatever parses it next.
const maxDepth = 64

// errBody marks a publish body the client got wrong.
var errBody = errors.New("invalid publish body")

func bad(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errBody, fmt.Sprintf(format, a...))
}

// ParsePublish implements formats.PublishParser. It checks a body before it goes
// upstream and returns the tarballs a publish carries, to be cached once the upstream
// accepted it.
func (Format) ParsePublish(rt formats.Route, body []byte) ([]formats.Attachment, error) {
	if err := checkDepth(body, maxDepth); err != nil {
		return nil, err
	}
	if !json.Valid(body) {
		return nil, bad("not valid JSON (truncated?)")
	}
	if strings.HasPrefix(rt.Path, "/-/package/") {
		return nil, checkDistTags(rt, body)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, bad("not a JSON object")
	}
	name := rt.Package
	if got := stringField(doc, "name"); got != name {
		return nil, bad("name %q does not match the URL's %q", truncate(got, 80), name)
	}
	if id, ok := doc["_id"]; ok && !isNull(id) && stringField(doc, "_id") != name {
		return nil, bad("_id does not match the URL's name %q", name)
	}
	versions, err := parseVersions(doc, name)
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	if raw, ok := doc["dist-tags"]; ok && !isNull(raw) {
		if json.Unmarshal(raw, &tags) != nil {
			return nil, bad("dist-tags is not an object of strings")
		}
	}
	for tag, v := range tags {
		if validToken("dist-tag", tag, formats.IsPlainByte) != nil || validVersion(v) != nil {
			return nil, bad("invalid dist-tag %q", truncate(tag, 80))
		}
	}
	return attachments(doc, name, versions)
}

func stringField(doc map[string]json.RawMessage, key string) string {
	var s string
	if json.Unmarshal(doc[key], &s) != nil {
		return ""
	}
	return s
}

// pubVersion is what a publish body says about one version.
type pubVersion struct {
	Name    string    `json:"name"`
	Version string    `json:"version"`
	Dist    distEntry `json:"dist"`
}

// parseVersions reads the versions object: every key a valid version, every entry
// naming this package and its own key.
func parseVersions(doc map[string]json.RawMessage, name string) (map[string]pubVersion, error) {
	raw, ok := doc["versions"]
	if !ok || isNull(raw) {
		return nil, nil
	}
	if err := checkVersionKeys(raw); err != nil {
		return nil, err
	}
	var versions map[string]pubVersion
	if err := json.Unmarshal(raw, &versions); err != nil {
		return nil, bad("versions is not an object of version objects")
	}
	for v, pv := range versions {
		if validVersion(v) != nil {
			return nil, bad("invalid version %q", truncate(v, 80))
		}
		// A document put back by deprecate may omit them; one that names another
		// package or version is refused.
		if (pv.Name != "" && pv.Name != name) || (pv.Version != "" && pv.Version != v) {
			return nil, bad("version %q names %q@%q", v, truncate(pv.Name, 80), truncate(pv.Version, 80))
		}
	}
	return versions, nil
}

// attachment is one entry of _attachments.
type attachment struct {
	ContentType string `json:"content_type"`
	Data        string `json:"data"`
	Length      *int64 `json:"length"`
}

// attachments checks every base64 attachment against its declared length and its
// version's integrity, and returns the tarballs to cache. npm names a tarball
// NAME-VERSION.tgz (scope included); the registry serves it as PKG-VERSION.tgz.
func attachments(doc map[string]json.RawMessage, name string, versions map[string]pubVersion) ([]formats.Attachment, error) {
	raw, ok := doc["_attachments"]
	if !ok || isNull(raw) {
		return nil, nil
	}
	if err := checkAttachmentKeys(raw); err != nil {
		return nil, err
	}
	var atts map[string]attachment
	if err := json.Unmarshal(raw, &atts); err != nil {
		return nil, bad("_attachments is not an object of attachments")
	}
	var out []formats.Attachment
	for file, a := range atts {
		version, kind, ok := attachmentVersion(file, name, versions)
		if !ok {
			return nil, bad("attachment %q is not NAME-VERSION.tgz of a version in the body", truncate(file, 80))
		}
		data, err := base64.StdEncoding.Strict().DecodeString(a.Data)
		if err != nil {
			return nil, bad("attachment %q is not valid base64", file)
		}
		if a.Length == nil || *a.Length != int64(len(data)) {
			return nil, bad("attachment %q length does not match its data (%d bytes)", file, len(data))
		}
		if kind != ".tgz" {
			continue // a provenance bundle: checked, forwarded, not cached
		}
		if pv := versions[version]; pv.Name != name || pv.Version != version {
			return nil, bad("version %q of attachment %q must name %s@%s", version, file, name, version)
		}
		dist := versions[version].Dist
		if err := verifyData(data, dist); err != nil {
			return nil, bad("attachment %q: %v", file, err)
		}
		sum, ok, _ := dist.checksum()
		att := formats.Attachment{
			Key:         tarballKey(name, []string{unscoped(name) + "-" + version + ".tgz"}),
			ContentType: "application/octet-stream", Data: data,
		}
		if ok {
			att.Expect = []formats.Checksum{sum}
		}
		out = append(out, att)
	}
	return out, nil
}

// attachmentVersion reads NAME-VERSION.tgz (or .sigstore, npm's provenance bundle),
// with NAME the full or the unscoped name, and VERSION one of the body's versions.
func attachmentVersion(file, name string, versions map[string]pubVersion) (string, string, bool) {
	for _, kind := range []string{".tgz", ".sigstore"} {
		base, ok := strings.CutSuffix(file, kind)
		if !ok {
			continue
		}
		for _, prefix := range []string{name + "-", unscoped(name) + "-"} {
			if v, ok := strings.CutPrefix(base, prefix); ok {
				if _, known := versions[v]; known {
					return v, kind, true
				}
			}
		}
	}
	return "", "", false
}

// checkDistTags checks a dist-tag change: PUT /-/package/NAME/dist-tags/TAG carries
// a version as a JSON string; a write to /dist-tags itself carries {tag: version}.
func checkDistTags(rt formats.Route, body []byte) error {
	if strings.HasSuffix(rt.Path, "/dist-tags") {
		var tags map[string]string
		if json.Unmarshal(body, &tags) != nil {
			return bad("dist-tags body is not an object of strings")
		}
		for tag, v := range tags {
			if validToken("dist-tag", tag, formats.IsPlainByte) != nil || validVersion(v) != nil {
				return bad("invalid dist-tag %q", truncate(tag, 80))
			}
		}
		return nil
	}
	var v string
	if json.Unmarshal(body, &v) != nil || validVersion(v) != nil {
		return bad("dist-tag body must be a version as a JSON string")
	}
	return nil
}

// checkDepth refuses JSON nested deeper than max, scanning bytes without parsing.
func checkDepth(body []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for _, c := range body {
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > max {
				return bad("nested deeper than %d levels", max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return bad("empty body")
	}
	return nil
}
