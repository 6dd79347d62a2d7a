package nuget

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"hoard/formats"
	"hoard/formats/routecheck"
)

var fuzzMethods = []string{"GET", "HEAD", "PUT", "DELETE", "POST"}

// FuzzNuGetRoute: any path and query, by any method, is refused or routed to keys
// and an upstream path that stay in their place.
func FuzzNuGetRoute(f *testing.F) {
	for _, s := range []string{
		"/acme/index.json", "/v3/download/tool/index.json", "/v3/download/Tool/1.0.0.0/tool.1.0.0.0.nupkg",
		"/v3/download/tool/1.0.0-beta+x/tool.nuspec", "/acme/registration-semver2/tool/page/1.0.0/2.0.0.json",
		"/acme/registration/tool/1.0.0.json", "/acme/query?q=x&take=5", "/acme/autocomplete?q=x",
		"/acme/api/v2/package/", "/acme/api/v2/package/tool/1.0.0", "/acme/tool/1.0.0",
		"/acme/download/..%2f../index.json", "/%2e%2e/index.json", "/acme/download/tool/1.0.0/..", "/a\\b", "/a%00b",
	} {
		for i := range fuzzMethods {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, m uint8, target string) {
		rest, query, _ := strings.Cut(target, "?")
		r := httptest.NewRequest("GET", "http://hoard/nuget", nil)
		r.Method = fuzzMethods[int(m)%len(fuzzMethods)]
		r.URL.RawQuery = query
		rt, err := New().Route(r, rest)
		if err != nil {
			return
		}
		if err := routecheck.CheckWith(New(), rt); err != nil {
			t.Fatalf("%s %q: %v", r.Method, target, err)
		}
	})
}

// FuzzNuGetPublish: a push body is refused, or yields one package whose key is its
// flat container key and whose .nuspec names a valid id and version.
func FuzzNuGetPublish(f *testing.F) {
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("tool.nuspec")
	w.Write([]byte(`<package><metadata><id>Tool</id><version>1.0</version></metadata></package>`))
	zw.Close()
	good := "--b\r\nContent-Disposition: form-data; name=\"package\"; filename=\"p.nupkg\"\r\n\r\n" + zb.String() + "\r\n--b--\r\n"
	for _, s := range []string{good, good[:len(good)/2], "--b\r\n\r\n--b--\r\n", "not multipart", ""} {
		f.Add([]byte(s))
	}
	rt := formats.Route{Kind: formats.Publish, Path: "/acme/api/v2/package", ParseBody: true}
	f.Fuzz(func(t *testing.T, body []byte) {
		atts, err := New().ParsePublish(rt, body)
		if err != nil {
			return
		}
		if len(atts) != 1 || !strings.HasPrefix(atts[0].Key, "acme/download/") || !strings.HasSuffix(atts[0].Key, ".nupkg") {
			t.Fatalf("attachments %v", atts)
		}
		if err := routecheck.Check(formats.Route{Kind: formats.Artifact, Key: atts[0].Key, Path: "/" + atts[0].Key}); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzNuGetRewrite: any upstream document is refused or rewritten into one that
// names no URL but Hoard's, for every kind of document.
func FuzzNuGetRewrite(f *testing.F) {
	f.Add(uint8(0), registrationDoc)
	f.Add(uint8(1), []byte(`{"version":"3.0.0","resources":[{"@id":"https://upstream.example/f/","@type":"PackageBaseAddress/3.0.0"}]}`))
	f.Add(uint8(2), []byte(`{"data":[{"id":"Tool","@id":"https://upstream.example/x","versions":[{"version":"1.0","@id":"https://upstream.example/y"}]}]}`))
	f.Add(uint8(3), []byte(`{"@id":"https://upstream.example/p","lower":"1.0.0","upper":"2.0.0","items":[]}`))
	routes := []formats.Route{
		registration("acme", slugReg, "tool", indexFile), serviceIndex("acme"),
		{Kind: formats.Metadata, Key: "acme/query?q=t"}, registration("acme", slugRegGz, "tool", "page/1.0.0/2.0.0.json"),
		registration("acme", slugRegSemV2, "tool", "1.0.0.json"),
	}
	f.Fuzz(func(t *testing.T, which uint8, doc []byte) {
		rt := routes[int(which)%len(routes)]
		out, err := New().Rewrite(rt, doc, "http://hoard.test/nuget")
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("rewritten into invalid JSON: %q", out)
		}
		// Hoard's service index is its own: nothing of the upstream's survives.
		if rt.Key == serviceIndex("acme").Key && bytes.Contains(out, []byte(upstreamHost)) {
			t.Fatalf("service index names the upstream: %s", out)
		}
	})
}
