package conformance

import (
	"archive/zip"
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"hoard/formats"
	"hoard/formats/nuget"
)

func TestNuGet(t *testing.T) { Run(t, nugetSubject()) }

func nugetSubject() Subject {
	pkg := nupkg("Tool", "1.0.0")
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	return Subject{
		New:       func() formats.Format { return nuget.New() },
		ErrorType: "application/json",
		Samples: []Sample{
			{Request{Path: "/o/index.json"}, formats.Metadata, "o/index.json"},
			{Request{Path: "/O/download/Tool/index.json"}, formats.Metadata, "o/download/tool/index.json"},
			{Request{Path: "/o/download/tool/1.0.0/tool.1.0.0.nupkg"}, formats.Artifact, "o/download/tool/1.0.0/tool.1.0.0.nupkg"},
			{Request{Path: "/o/download/tool/1.0.0-Beta+git.1/tool.nuspec"}, formats.Artifact, "o/download/tool/1.0.0-beta/tool.nuspec"},
			{Request{Path: "/o/registration/tool/index.json"}, formats.Metadata, "o/registration/tool/index.json"},
			{Request{Path: "/o/registration-gz/tool/index.json"}, formats.Metadata, "o/registration-gz/tool/index.json"},
			{Request{Path: "/o/registration-semver2/tool/page/1.0.0/2.0.0.json"}, formats.Metadata, "o/registration-semver2/tool/page/1.0.0/2.0.0.json"},
			{Request{Path: "/o/registration-semver2/tool/1.0.0.json"}, formats.Metadata, "o/registration-semver2/tool/1.0.0.json"},
			{Request{Path: "/o/query?q=tool&Take=20&x=1&semverlevel=2.0.0"}, formats.Metadata, "o/query?q=tool&semVerLevel=2.0.0&take=20"},
			{Request{Path: "/o/autocomplete?q=to"}, formats.Metadata, "o/autocomplete?q=to"},
			{Request{Method: http.MethodPut, Path: "/o/api/v2/package/"}, formats.Publish, ""},
			{Request{Method: http.MethodDelete, Path: "/o/api/v2/package/tool/1.0.0"}, formats.Delete, ""},
			{Request{Method: http.MethodPost, Path: "/o/api/v2/package/tool/1.0.0"}, formats.Publish, ""},
		},
		Traits:  map[string][]Trait{"GET /o/download/tool/1.0.0/tool.1.0.0.nupkg": {ReadsWhole}},
		Publish: &Request{Method: http.MethodPut, Path: "/o/api/v2/package/", Body: pushBody(pkg)},
		HostilePublish: [][]byte{
			pushBody([]byte("<html>not a package</html>")),
			pushBody(nupkg("../../etc", "1.0.0")),
			pushBody(nupkg("tool", "1.0.0/../../x")),
			pushBody(pkg[:len(pkg)-10]),
			[]byte("--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n"),
		},
		Upstream: map[string]Fixture{
			"/o/index.json":                           {Body: nugetIndex(), Header: jsonHeader},
			"/o/download/tool/index.json":             {Body: []byte(`{"versions":["1.0.0"]}`), Header: jsonHeader},
			"/o/download/tool/1.0.0/tool.1.0.0.nupkg": {Body: pkg, Header: http.Header{"Content-Type": {"application/octet-stream"}}},
			"/o/registration-semver2/tool/index.json": {Body: nugetRegistration("tool", "1.0.0", pkg), Header: jsonHeader},
		},
		Artifact: Request{Path: "/o/download/tool/1.0.0/tool.1.0.0.nupkg"},
		Metadata: Request{Path: "/o/download/tool/index.json"},
		Missing:  Request{Path: "/o/download/tool/9.9.9/tool.9.9.9.nupkg"},
	}
}

// nupkgFor is a package of one .nuspec naming id and version.
func nupkg(id, version string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create(id + ".nuspec")
	fmt.Fprintf(w, `<?xml version="1.0"?><package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata><id>%s</id><version>%s</version><authors>a</authors><description>d</description></metadata></package>`, id, version)
	w, _ = zw.Create("lib/netstandard2.0/_._")
	w.Write([]byte{})
	zw.Close()
	return b.Bytes()
}

// pushBody is a push as NuGet.exe sends it.
func pushBody(pkg []byte) []byte {
	var b bytes.Buffer
	b.WriteString("--b0undary\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name=\"package\"; filename=\"package.nupkg\"\r\n\r\n")
	b.Write(pkg)
	b.WriteString("\r\n--b0undary--\r\n")
	return b.Bytes()
}

// nugetIndex is a service index whose resources are where Hoard's symbolic paths
// put them (relative, since the fake upstream's address is known only later).
func nugetIndex() []byte {
	res := []map[string]string{
		{"@id": "/o/download/", "@type": "PackageBaseAddress/3.0.0"},
		{"@id": "/o/registration/", "@type": "RegistrationsBaseUrl"},
		{"@id": "/o/registration-gz/", "@type": "RegistrationsBaseUrl/3.4.0"},
		{"@id": "/o/registration-semver2/", "@type": "RegistrationsBaseUrl/3.6.0"},
		{"@id": "/o/query", "@type": "SearchQueryService"},
		{"@id": "/o/autocomplete", "@type": "SearchAutocompleteService"},
		{"@id": "/o/api/v2/package", "@type": "PackagePublish/2.0.0"},
	}
	b, _ := json.Marshal(map[string]any{"version": "3.0.0", "resources": res})
	return b
}

// nugetRegistration is a registration index of one inlined version with its hash.
func nugetRegistration(id, version string, pkg []byte) []byte {
	sum := sha512.Sum512(pkg)
	leaf := map[string]any{
		"@id": "http://upstream.invalid/reg/" + id + "/" + version + ".json",
		"catalogEntry": map[string]any{
			"@id": "http://upstream.invalid/catalog/" + id + "." + version + ".json", "id": id, "version": version,
			"packageHash": base64.StdEncoding.EncodeToString(sum[:]), "packageHashAlgorithm": "SHA512",
		},
		"packageContent": "http://upstream.invalid/flat/" + id + "/" + version + "/" + id + "." + version + ".nupkg",
	}
	page := map[string]any{"@id": "http://upstream.invalid/reg/" + id + "/index.json#page/x", "count": 1, "lower": version, "upper": version, "items": []any{leaf}}
	b, _ := json.Marshal(map[string]any{"@id": "http://upstream.invalid/reg/" + id + "/index.json", "count": 1, "items": []any{page}})
	return b
}
