package rubygems

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"hoard/formats"
	"hoard/formats/routecheck"
)

var fuzzMethods = []string{"GET", "HEAD", "PUT", "DELETE", "POST"}

// FuzzRubygemsRoute: any path and query, by any method, is refused or routed to
// keys and an upstream path that stay in their place, and so are the /info
// documents a .gem is checked against.
func FuzzRubygemsRoute(f *testing.F) {
	for _, s := range []string{
		"/acme/versions", "/acme/info/rails", "/names", "/acme/specs.4.8.gz", "/acme/gems/nokogiri-1.15.0-x86_64-linux.gem",
		"/acme/quick/Marshal.4.8/a-1-b-2.gemspec.rz", "/acme/api/v1/dependencies?gems=a,b", "/acme/api/v1/gems",
		"/acme/api/v1/gems/yank", "/acme/", "/", "/acme/info/..%2f..", "/acme/gems/..%2fx-1.gem", "/a/%252e%252e/versions",
		"/acme/api/v1/dependencies?gems=..%2Fx", "/acme/api/v1/../v1/gems",
	} {
		for i := range fuzzMethods {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, m uint8, target string) {
		rest, query, _ := strings.Cut(target, "?")
		r := httptest.NewRequest(http.MethodGet, "/rubygems/x", nil)
		r.Method, r.URL.RawQuery = fuzzMethods[int(m)%len(fuzzMethods)], query
		rt, err := New().Route(r, rest)
		if err != nil {
			return
		}
		if err := routecheck.Check(rt); err != nil {
			t.Fatalf("%s %q: %v", r.Method, target, err)
		}
		for _, s := range New().Sidecars(rt) {
			if err := routecheck.Check(s.Route); err != nil {
				t.Fatalf("%s %q sidecar: %v", r.Method, target, err)
			}
		}
	})
}

// FuzzRubygemsInfo: whatever an upstream serves as /info/NAME, reading its
// checksum table never panics and keeps only valid releases and SHA-256 digests.
func FuzzRubygemsInfo(f *testing.F) {
	for _, s := range []string{
		"---\n1.0.0 a:>= 1&< 2,b:= 1|checksum:fe8077b56b57211cbb2b2b0773940cd138c921b656100b56f9d4d3f6b80e49a3,ruby:>= 2.7,created_at:2024-01-01T00:00:00Z\n",
		"---\n1.0.0-java |checksum:IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\n", "", "---\n\n\n", "1.0 |checksum:zz",
	} {
		f.Add([]byte(s))
	}
	rt := infoRoute([]string{"acme"}, "tool")
	f.Fuzz(func(t *testing.T, doc []byte) {
		sums, err := New().Sums(rt, doc, "")
		if err != nil {
			return
		}
		for release, c := range sums {
			if !validRelease(release) || c.Algo != "sha256" || len(c.Hex) != 64 || strings.Trim(c.Hex, "0123456789abcdef") != "" {
				t.Fatalf("entry %q: %+v", release, c)
			}
		}
	})
}

// FuzzRubygemsPublish: whatever is pushed or yanked, the checks never panic, and
// what they accept caches the gem under a key that stays in its place.
func FuzzRubygemsPublish(f *testing.F) {
	f.Add(true, []byte("gem_name=tool&version=1.0.0"))
	f.Add(false, []byte("gem_name=tool&version=1.0.0&platform=java"))
	f.Add(true, []byte{})
	push, _ := route(nil, http.MethodPost, "/acme/api/v1/gems")
	yank, _ := route(nil, http.MethodDelete, "/acme/api/v1/gems/yank")
	f.Fuzz(func(t *testing.T, isPush bool, body []byte) {
		rt := yank
		if isPush {
			rt = push
		}
		atts, err := New().ParsePublish(rt, body)
		if err != nil {
			return
		}
		inv := New().BodyInvalidates(rt, body)
		for _, a := range atts {
			inv = append(inv, a.Key)
		}
		if err := routecheck.Check(formats.Route{Path: "/x", Invalidate: inv}); err != nil {
			t.Fatalf("%q: %v", body, err)
		}
	})
}
