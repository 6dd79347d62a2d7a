package conformance

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"

	"hoard/formats"
	"hoard/formats/npm"
)

func TestNpm(t *testing.T) { Run(t, npmSubject()) }

func npmSubject() Subject {
	tgz := gzipped("package/package.json")
	packument := npmDoc("tool", "1.0.0", tgz, false)
	abbrev := http.Header{"Accept": {"application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8"}}
	return Subject{
		New:       func() formats.Format { return npm.New() },
		ErrorType: "application/json",
		Samples: []Sample{
			{Request{Path: "/tool/-/tool-1.0.0.tgz"}, formats.Artifact, "tgz/tool/tool-1.0.0.tgz"},
			{Request{Path: "/@acme%2ftool/-/tool-1.0.0.tgz"}, formats.Artifact, "tgz/@acme/tool/tool-1.0.0.tgz"},
			{Request{Path: "/tool"}, formats.Metadata, "pkg/tool"},
			{Request{Path: "/tool", Header: abbrev}, formats.Metadata, "pkg/tool@abbrev"},
			{Request{Path: "/@acme%2ftool"}, formats.Metadata, "pkg/@acme/tool"},
			{Request{Path: "/tool?write=true"}, formats.Passthrough, ""},
			{Request{Path: "/tool/1.0.0"}, formats.Passthrough, ""},
			{Request{Path: "/-/v1/search?text=tool"}, formats.Passthrough, ""},
			{Request{Method: http.MethodPut, Path: "/tool"}, formats.Publish, ""},
			{Request{Method: http.MethodPut, Path: "/tool/-rev/3-abc"}, formats.Publish, ""},
		},
		Traits: map[string][]Trait{
			"GET /tool?write=true": {RewritesPassthrough},
			"GET /tool/1.0.0":      {RewritesPassthrough},
			"PUT /tool/-rev/3-abc": {Removes},
		},
		Publish: &Request{Method: http.MethodPut, Path: "/tool", Body: npmDoc("tool", "1.0.0", tgz, true)},
		HostilePublish: [][]byte{
			// The inlined tarball is not the one its integrity names.
			bytes.Replace(npmDoc("tool", "1.0.0", tgz, true), []byte(base64.StdEncoding.EncodeToString(tgz)),
				[]byte(base64.StdEncoding.EncodeToString(gzipped("other"))), 1),
			bytes.Replace(npmDoc("tool", "1.0.0", tgz, true), []byte(`"tool-1.0.0.tgz"`), []byte(`"../../etc/passwd.tgz"`), 1),
			bytes.Replace(npmDoc("tool", "1.0.0", tgz, true), []byte(`"name":"tool"`), []byte(`"name":"../tool"`), 1),
		},
		Upstream: map[string]Fixture{
			"/tool":                  {Body: packument, Header: http.Header{"Content-Type": {"application/json"}}},
			"/tool/-/tool-1.0.0.tgz": {Body: tgz, Header: http.Header{"Content-Type": {"application/octet-stream"}}},
		},
		Artifact: Request{Path: "/tool/-/tool-1.0.0.tgz"},
		Metadata: Request{Path: "/tool"},
		Missing:  Request{Path: "/tool/-/tool-9.9.9.tgz"},
	}
}

// npmDoc is a packument of one version whose tarball is tgz, or with attach what
// npm publish sends: the same, with the tarball inlined.
func npmDoc(name, version string, tgz []byte, attach bool) []byte {
	s512, s1 := sha512.Sum512(tgz), sha1.Sum(tgz)
	file := name + "-" + version + ".tgz"
	doc := map[string]any{
		"_id": name, "name": name,
		"dist-tags": map[string]any{"latest": version},
		"versions": map[string]any{version: map[string]any{
			"name": name, "version": version,
			"dist": map[string]any{
				"integrity": "sha512-" + base64.StdEncoding.EncodeToString(s512[:]),
				"shasum":    hex.EncodeToString(s1[:]),
				"tarball":   "http://127.0.0.1/" + name + "/-/" + file,
			},
		}},
	}
	if attach {
		doc["_attachments"] = map[string]any{file: map[string]any{
			"content_type": "application/octet-stream", "data": base64.StdEncoding.EncodeToString(tgz), "length": len(tgz),
		}}
	}
	b, _ := json.Marshal(doc)
	return b
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}
