package npm

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"hoard/formats"
)

// publishBody builds what npm publish sends for one version, then lets mutate change
// the decoded document before it is encoded.
func publishBody(t *testing.T, name, version string, data []byte, mutate func(map[string]any)) []byte {
	t.Helper()
	s512 := sha512.Sum512(data)
	s1 := sha1.Sum(data)
	doc := map[string]any{
		"_id": name, "name": name, "access": nil,
		"dist-tags": map[string]any{"latest": version},
		"versions": map[string]any{version: map[string]any{
			"name": name, "version": version, "_id": name + "@" + version,
			"dist": map[string]any{
				"integrity": "sha512-" + base64.StdEncoding.EncodeToString(s512[:]),
				"shasum":    hex.EncodeToString(s1[:]),
				"tarball":   "http://hoard/npm/" + name + "/-/" + name + "-" + version + ".tgz",
			},
		}},
		"_attachments": map[string]any{name + "-" + version + ".tgz": map[string]any{
			"content_type": "application/octet-stream",
			"data":         base64.StdEncoding.EncodeToString(data),
			"length":       len(data),
		}},
	}
	if mutate != nil {
		mutate(doc)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func att(doc map[string]any) map[string]any {
	for _, a := range doc["_attachments"].(map[string]any) {
		return a.(map[string]any)
	}
	return nil
}

func version(doc map[string]any) map[string]any {
	for _, v := range doc["versions"].(map[string]any) {
		return v.(map[string]any)
	}
	return nil
}

func TestNpmParsePublish(t *testing.T) {
	data := []byte("\x1f\x8bnot really a tarball")
	rt, _ := route(t, "PUT", "/@acme%2ftool", "")
	atts, err := New().ParsePublish(rt, publishBody(t, "@acme/tool", "1.2.3", data, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(atts) != 1 || atts[0].Key != "tgz/@acme/tool/tool-1.2.3.tgz" || string(atts[0].Data) != string(data) ||
		len(atts[0].Expect) != 1 || atts[0].Expect[0].Algo != "sha512" {
		t.Fatalf("attachments %+v", atts)
	}
	// The cached key is the one the tarball is later read under.
	back, _ := route(t, "GET", "/@acme/tool/-/tool-1.2.3.tgz", "")
	if back.Key != atts[0].Key {
		t.Errorf("published under %q, read under %q", atts[0].Key, back.Key)
	}
	// Deprecate puts the document back without attachments: nothing to cache.
	dep := publishBody(t, "@acme/tool", "1.2.3", data, func(d map[string]any) {
		d["_attachments"] = map[string]any{}
		version(d)["deprecated"] = "use 2"
	})
	if atts, err := New().ParsePublish(rt, dep); err != nil || len(atts) != 0 {
		t.Fatalf("deprecate: %v %v", atts, err)
	}
}

// TestNpmParsePublishRefuses is the npm sanity suites' bad publish bodies.
func TestNpmParsePublishRefuses(t *testing.T) {
	data := []byte("tarball bytes")
	rt, _ := route(t, "PUT", "/tool", "")
	good := publishBody(t, "tool", "1.0.0", data, nil)
	tests := map[string][]byte{
		"truncated":         good[:len(good)/2],
		"trailing garbage":  append(append([]byte{}, good...), []byte(`{}`)...),
		"empty":             []byte(" "),
		"not an object":     []byte(`["tool"]`),
		"deep nesting":      []byte(`{"name":"tool","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`),
		"very deep nesting": []byte(strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)),
		"name differs":      publishBody(t, "other", "1.0.0", data, nil),
		"scope escape":      publishBody(t, "tool", "1.0.0", data, func(d map[string]any) { d["name"] = "@acme/../tool" }),
		"proto name":        publishBody(t, "tool", "1.0.0", data, func(d map[string]any) { d["name"] = "__proto__" }),
		"id differs":        publishBody(t, "tool", "1.0.0", data, func(d map[string]any) { d["_id"] = "evil" }),
		"bad base64":        publishBody(t, "tool", "1.0.0", data, func(d map[string]any) { att(d)["data"] = "!!!not base64" }),
		"non-strict base64": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) { att(d)["data"] = "dGFyYmFsbCBieXRlcx" }),
		"length mismatch":   publishBody(t, "tool", "1.0.0", data, func(d map[string]any) { att(d)["length"] = len(data) + 1 }),
		"length missing":    publishBody(t, "tool", "1.0.0", data, func(d map[string]any) { delete(att(d), "length") }),
		"integrity mismatch": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) {
			att(d)["data"] = base64.StdEncoding.EncodeToString([]byte("other bytes!!"))
		}),
		"shasum mismatch": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) {
			version(d)["dist"].(map[string]any)["shasum"] = strings.Repeat("0", 40)
		}),
		"malformed integrity": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) {
			version(d)["dist"].(map[string]any)["integrity"] = "sha512-short"
		}),
		"attachment traversal": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) {
			d["_attachments"] = map[string]any{"../../tool-1.0.0.tgz": att(d)}
		}),
		"attachment encoded traversal": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) {
			d["_attachments"] = map[string]any{"tool-%2f%2e%2e.tgz": att(d)}
		}),
		"attachment of no version": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) {
			d["_attachments"] = map[string]any{"tool-9.9.9.tgz": att(d)}
		}),
		"proto attachment": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) {
			d["_attachments"] = map[string]any{"__proto__": att(d)}
		}),
		"version names another package": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) { version(d)["name"] = "other" }),
		"bad version key": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) {
			d["versions"] = map[string]any{"../1.0.0": version(d)}
		}),
		"proto version": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) {
			d["versions"] = map[string]any{"__proto__": version(d)}
		}),
		"proto dist-tag": publishBody(t, "tool", "1.0.0", data, func(d map[string]any) {
			d["dist-tags"] = map[string]any{"__proto__": "1.0.0"}
		}),
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			if atts, err := New().ParsePublish(rt, body); err == nil {
				t.Fatalf("accepted, %d attachments", len(atts))
			}
		})
	}
}

func TestNpmParseDistTag(t *testing.T) {
	put, _ := route(t, "PUT", "/-/package/@acme%2ftool/dist-tags/beta", "")
	for body, ok := range map[string]bool{`"1.0.0"`: true, `"../x"`: false, `1`: false, `"1.0.0`: false, `{"a":"1"}`: false} {
		if _, err := New().ParsePublish(put, []byte(body)); (err == nil) != ok {
			t.Errorf("dist-tag body %s: %v", body, err)
		}
	}
	var _ formats.PublishParser = New()
	var _ formats.Rewriter = New()
}
