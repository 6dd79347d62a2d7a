package oci

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"

	"hoard/formats"
	"hoard/formats/routecheck"
)

var fuzzMethods = []string{"GET", "HEAD", "PUT", "DELETE", "POST", "PATCH"}

// FuzzOCIRoute: any path and query, by any method and Accept, is refused or routed
// to keys and an upstream path that stay in their place.
func FuzzOCIRoute(f *testing.F) {
	for _, s := range []string{
		"/owner/img/manifests/v1", "/owner/img/manifests/" + d256, "/owner/img/manifests/" + d512,
		"/a/b/c/blobs/" + d256, "/a/blobs/uploads/", "/a/blobs/uploads/u1", "/a/tags/list", "/a/referrers/" + d256,
		"/a/../b/manifests/v1", "/a/%2e%2e/manifests/v1", "/a/blobs/sha256:..%2f..", "/A/manifests/v1", "/a//b/tags/list",
	} {
		for i := range fuzzMethods {
			f.Add(uint8(i), s, "", "")
		}
	}
	f.Add(uint8(0), "/a/tags/list", "n=2&last=b", "")
	f.Add(uint8(4), "/a/blobs/uploads/", "digest="+d256, "")
	f.Add(uint8(3), "/a/blobs/uploads/", "mount="+d256+"&from=b", "")
	f.Add(uint8(0), "/a/manifests/v1", "", MediaOCIManifest)
	g := New()
	f.Fuzz(func(t *testing.T, m uint8, rest, query, accept string) {
		r := httptest.NewRequest("GET", "http://hoard/v2/x", nil)
		r.Method = fuzzMethods[int(m)%len(fuzzMethods)]
		r.URL.RawQuery = query
		r.Header.Set("Accept", accept)
		rt, err := g.Route(r, rest)
		if err != nil {
			return
		}
		if err := routecheck.CheckWith(New(), rt); err != nil {
			t.Fatalf("%s %q?%q: %v", r.Method, rest, query, err)
		}
		if rt.Path != "" && !strings.HasPrefix(rt.Path, "/v2/") {
			t.Fatalf("%s %q: upstream path %q outside /v2/", r.Method, rest, rt.Path)
		}
	})
}

// FuzzOCIManifest: a manifest or index, pulled or pushed, is refused or is a JSON
// object within the size cap, not both an index and an image, and a push is cached
// under the digest of exactly its bytes.
func FuzzOCIManifest(f *testing.F) {
	image := `{"schemaVersion":2,"mediaType":"` + MediaOCIManifest + `","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"` + d256 + `","size":2},"layers":[]}`
	index := `{"schemaVersion":2,"mediaType":"` + MediaOCIIndex + `","manifests":[{"mediaType":"` + MediaOCIManifest + `","digest":"` + d256 + `","size":7}]}`
	for _, s := range []string{image, index, `{"schemaVersion":2,"config":{},"layers":[]}`,
		`{"schemaVersion":2,"manifests":[],"layers":[]}`, `[]`, `not json`, `{"mediaType":1}`, ` {"a":"\ud800"}`} {
		f.Add([]byte(s), "")
		f.Add([]byte(s), MediaOCIManifest)
	}
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		pull := formats.Route{Key: "a/manifests/v1"}
		if out, err := New().Rewrite(pull, body, ""); err == nil {
			checkAccepted(t, body, out)
		}
		push := formats.Route{Package: "a/b", ContentType: ct}
		atts, err := New().ParsePublish(push, body)
		if err != nil {
			return
		}
		checkAccepted(t, body, body)
		d := digestOf("sha256", body)
		if len(atts) != 1 || atts[0].Key != "a/b/manifests/"+d || string(atts[0].Data) != string(body) {
			t.Fatalf("push of %q cached as %+v", body, atts)
		}
	})
}

func checkAccepted(t *testing.T, in, out []byte) {
	t.Helper()
	var m map[string]json.RawMessage
	if string(out) != string(in) || len(in) > MaxManifestSize || json.Unmarshal(in, &m) != nil {
		t.Fatalf("accepted %q", in)
	}
	if m["manifests"] != nil && (m["config"] != nil || m["layers"] != nil) {
		t.Fatalf("accepted both an index and an image: %q", in)
	}
}

// FuzzOCILink: a Link header or Location from the upstream comes out either as it
// was (another host's URL) or pointing under the public URL, never above it.
func FuzzOCILink(f *testing.F) {
	for _, s := range []string{
		`</v2/a/tags/list?last=b&n=2>; rel="next"`, `<http://127.0.0.1:5000/v2/a/blobs/` + d256 + `>`,
		`<https://registry.example/base/v2/a/manifests/x>; rel="next", <https://storage.example/b>`,
		`</v2/../../admin>; rel="next"`, `</v2/%2e%2e/x>`, `<>`, `>`, `<<>>`, `</v2/a` + "\x00" + `>`,
	} {
		f.Add(s)
	}
	up, _ := url.Parse("http://127.0.0.1:5000")
	withPath, _ := url.Parse("https://registry.example/base")
	ups := []*url.URL{up, withPath}
	const public = "https://hoard.example/v2/ghcr/"
	f.Fuzz(func(t *testing.T, v string) {
		out := RewriteLink(v, ups, public)
		// The same <...> items: a rewritten URL may escape a "<" of its path.
		if len(linkURLs(out)) != len(linkURLs(v)) {
			t.Fatalf("%q became %q", v, out)
		}
		for _, u := range linkURLs(out) {
			if !strings.HasPrefix(u, public) {
				continue
			}
			pu, err := url.Parse(u)
			if err != nil {
				t.Fatalf("%q rewritten to an unparsable %q", v, u)
			}
			if p := path.Clean(pu.Path); !strings.HasPrefix(p+"/", "/v2/ghcr/") {
				t.Fatalf("%q rewritten to %q, outside the mount (%s)", v, u, p)
			}
		}
	})
}

// linkURLs lists what sits in each <...> of a Link value.
func linkURLs(v string) []string {
	var out []string
	for {
		i := strings.IndexByte(v, '<')
		j := strings.IndexByte(v, '>')
		if i < 0 || j < i {
			return out
		}
		out = append(out, v[i+1:j])
		v = v[j+1:]
	}
}
