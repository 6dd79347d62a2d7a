package npm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"hoard/formats"
)

// Rewrite implements formats.Rewriter: every dist.tarball in a packument (or in a
// single version's document) is pointed at base, the mount's public URL, so clients
// fetch tarballs through Hoard whatever host the upstream named. Only the tarball
// fields change; every other value keeps its value (whitespace aside).
func (Format) Rewrite(rt formats.Route, body []byte, base string) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("npm document is not a JSON object: %w", err)
	}
	name := rt.Package
	if raw, ok := doc["versions"]; ok && !isNull(raw) {
		var versions map[string]json.RawMessage
		if err := json.Unmarshal(raw, &versions); err != nil {
			return nil, fmt.Errorf("npm packument versions: %w", err)
		}
		changed := false
		for v, vraw := range versions {
			out, ok, err := rewriteVersion(vraw, name, base)
			if err != nil {
				return nil, fmt.Errorf("npm packument version %q: %w", v, err)
			}
			if ok {
				versions[v], changed = out, true
			}
		}
		if !changed {
			return body, nil
		}
		enc, err := encode(versions)
		if err != nil {
			return nil, err
		}
		doc["versions"] = enc
		return encode(doc)
	}
	if _, ok := doc["dist"]; ok {
		out, ok, err := rewriteVersion(body, name, base)
		if err != nil || !ok {
			return body, err
		}
		return out, nil
	}
	return body, nil
}

// rewriteVersion points one version's dist.tarball at base; ok is false when the
// version has no tarball to rewrite.
func rewriteVersion(raw json.RawMessage, name, base string) (json.RawMessage, bool, error) {
	var version map[string]json.RawMessage
	if err := json.Unmarshal(raw, &version); err != nil {
		return nil, false, err
	}
	distRaw, ok := version["dist"]
	if !ok || isNull(distRaw) {
		return nil, false, nil
	}
	var dist map[string]json.RawMessage
	if err := json.Unmarshal(distRaw, &dist); err != nil {
		return nil, false, fmt.Errorf("dist: %w", err)
	}
	var tarball string
	if t, ok := dist["tarball"]; !ok || json.Unmarshal(t, &tarball) != nil {
		return nil, false, nil
	}
	rel, ok := tarballRel(name, tarball)
	if !ok {
		// An unusable URL must not stay pointing elsewhere; the registry layout is
		// the best guess, and the integrity check still guards what it fetches.
		var v string
		if json.Unmarshal(version["version"], &v) != nil || validVersion(v) != nil {
			return nil, false, errors.New("unusable dist.tarball and no valid version")
		}
		rel = "/" + name + "/-/" + unscoped(name) + "-" + v + ".tgz"
	}
	var err error
	if dist["tarball"], err = encode(base + rel); err != nil {
		return nil, false, err
	}
	if version["dist"], err = encode(dist); err != nil {
		return nil, false, err
	}
	out, err := encode(version)
	return out, true, err
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// encode marshals without HTML escaping, so text fields keep their bytes.
func encode(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
