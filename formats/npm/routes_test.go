package npm

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"hoard/formats"
)

func route(t *testing.T, method, target, accept string) (formats.Route, error) {
	t.Helper()
	r := httptest.NewRequest(method, "http://hoard"+target, nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	path, _, _ := strings.Cut(target, "?")
	return New().Route(r, path)
}

func TestNpmRouteReads(t *testing.T) {
	tests := []struct {
		method, path, accept string
		kind                 formats.Kind
		key, upstream, pkg   string
		rewrite              bool
	}{
		{"GET", "/left-pad", "", formats.Metadata, "pkg/left-pad", "/left-pad", "left-pad", false},
		{"GET", "/left-pad", acceptAbbrev, formats.Metadata, "pkg/left-pad@abbrev", "/left-pad", "left-pad", false},
		{"HEAD", "/@acme/tool", "application/json", formats.Metadata, "pkg/@acme/tool", "/@acme%2ftool", "@acme/tool", false},
		{"GET", "/@acme%2ftool", acceptAbbrev, formats.Metadata, "pkg/@acme/tool@abbrev", "/@acme%2ftool", "@acme/tool", false},
		{"GET", "/@acme%2Ftool", "", formats.Metadata, "pkg/@acme/tool", "/@acme%2ftool", "@acme/tool", false},
		{"GET", "/%40acme%2ftool", "", formats.Metadata, "pkg/@acme/tool", "/@acme%2ftool", "@acme/tool", false},
		{"GET", "/left-pad/-/left-pad-1.3.0.tgz", "", formats.Artifact, "tgz/left-pad/left-pad-1.3.0.tgz", "/left-pad/-/left-pad-1.3.0.tgz", "left-pad", false},
		{"GET", "/@acme/tool/-/tool-1.0.0.tgz", "", formats.Artifact, "tgz/@acme/tool/tool-1.0.0.tgz", "/@acme/tool/-/tool-1.0.0.tgz", "@acme/tool", false},
		{"GET", "/@acme%2ftool/-/tool-1.0.0.tgz", "", formats.Artifact, "tgz/@acme/tool/tool-1.0.0.tgz", "/@acme/tool/-/tool-1.0.0.tgz", "@acme/tool", false},
		{"GET", "/@acme/tool/-/dl/download/@acme/tool/1.0.0/abc123", "", formats.Artifact, "tgz/@acme/tool/dl/download/@acme/tool/1.0.0/abc123", "/download/@acme/tool/1.0.0/abc123", "@acme/tool", false},
		{"GET", "/left-pad/1.3.0", "", formats.Passthrough, "", "/left-pad/1.3.0", "left-pad", true},
		{"GET", "/left-pad?write=true", "", formats.Passthrough, "", "/left-pad", "left-pad", true},
		{"GET", "/-/ping", "", formats.Passthrough, "", "/-/ping", "", false},
		{"GET", "/-/whoami", "", formats.Passthrough, "", "/-/whoami", "", false},
		{"GET", "/-/v1/search?text=x&size=2", "", formats.Passthrough, "", "/-/v1/search", "", false},
		{"POST", "/-/npm/v1/security/advisories/bulk", "", formats.Passthrough, "", "/-/npm/v1/security/advisories/bulk", "", false},
		{"POST", "/-/npm/v1/security/audits/quick", "", formats.Passthrough, "", "/-/npm/v1/security/audits/quick", "", false},
		{"PUT", "/-/user/org.couchdb.user:bob", "", formats.Passthrough, "", "/-/user/org.couchdb.user:bob", "", false},
		{"GET", "/-/package/@acme%2ftool/dist-tags", "", formats.Passthrough, "", "/-/package/@acme%2ftool/dist-tags", "@acme/tool", false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rt, err := route(t, tt.method, tt.path, tt.accept)
			if err != nil {
				t.Fatal(err)
			}
			rewrite := New().RewritesPassthrough(rt)
			if rt.Kind != tt.kind || rt.Key != tt.key || rt.Path != tt.upstream || rt.Package != tt.pkg || rewrite != tt.rewrite {
				t.Errorf("got kind %v key %q path %q pkg %q rewrite %v", rt.Kind, rt.Key, rt.Path, rt.Package, rewrite)
			}
			if tt.kind == formats.Metadata && (rt.TTLClass != "packument" || rt.UpstreamHeader.Get("Accept") == "") {
				t.Errorf("packument route lacks its TTL class or Accept: %+v", rt)
			}
			if n := len(New().Sidecars(rt)); tt.kind == formats.Artifact && n != 2 {
				t.Errorf("tarball route has %d sidecars", n)
			}
			if strings.Contains(tt.path, "?") && rt.RawQuery == "" {
				t.Errorf("query dropped")
			}
		})
	}
}

func TestNpmRouteWrites(t *testing.T) {
	both := func(name string) []string { return packumentKeys(name) }
	tests := []struct {
		method, path string
		kind         formats.Kind
		upstream     string
		parse        bool
		removes      bool
		invalidate   []string
	}{
		{"PUT", "/@acme%2ftool", formats.Publish, "/@acme%2ftool", true, false, both("@acme/tool")},
		{"PUT", "/tool/-rev/3-abc", formats.Publish, "/tool/-rev/3-abc", true, true, both("tool")},
		{"DELETE", "/@acme%2ftool/-rev/3-abc", formats.Delete, "/@acme%2ftool/-rev/3-abc", false, false, both("@acme/tool")},
		{"DELETE", "/@acme/tool/-/tool-1.0.0.tgz/-rev/4-def", formats.Delete, "/@acme%2ftool/-/tool-1.0.0.tgz/-rev/4-def", false, false,
			append(both("@acme/tool"), "tgz/@acme/tool/tool-1.0.0.tgz")},
		{"PUT", "/-/package/@acme%2ftool/dist-tags/beta", formats.Publish, "/-/package/@acme%2ftool/dist-tags/beta", true, false, both("@acme/tool")},
		{"DELETE", "/-/package/tool/dist-tags/beta", formats.Delete, "/-/package/tool/dist-tags/beta", false, false, both("tool")},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rt, err := route(t, tt.method, tt.path, "")
			if err != nil {
				t.Fatal(err)
			}
			removes := New().Removes(rt)
			if rt.Kind != tt.kind || rt.Path != tt.upstream || rt.ParseBody != tt.parse || removes != tt.removes {
				t.Errorf("got kind %v path %q parse %v removes %v", rt.Kind, rt.Path, rt.ParseBody, removes)
			}
			if strings.Join(rt.Invalidate, " ") != strings.Join(tt.invalidate, " ") {
				t.Errorf("invalidate %q, want %q", rt.Invalidate, tt.invalidate)
			}
		})
	}
}

// TestNpmRouteRefuses is the npm sanity suites' bad input: every one a 4xx before
// anything is fetched or forwarded.
func TestNpmRouteRefuses(t *testing.T) {
	tests := []struct{ method, path string }{
		{"GET", "/__proto__"},
		{"GET", "/node_modules"},
		{"GET", "/@acme/node_modules"},
		{"GET", "/@acme%2f__proto__"},
		{"GET", "/favicon.ico"},
		{"GET", "/.hidden"},
		{"GET", "/_private"},
		{"GET", "/../etc/passwd"},
		{"GET", "/%2e%2e/etc"},
		{"GET", "/foo%2f%2e%2e"},
		{"GET", "/foo%2f..%2fbar"},
		{"GET", "/@acme%2f%2e%2e"},
		{"GET", "/@acme%2f..%2fother"},
		{"GET", "/@acme%2fa%2fb"},
		{"GET", "/@acme/../other/-/other-1.0.0.tgz"},
		{"GET", "/@acme"},
		{"GET", "/@/tool"},
		{"GET", "/foo/-/..%2f..%2fbar.tgz"},
		{"GET", "/foo/-/%2e%2e"},
		{"GET", "/foo/-/bar.tar"},
		{"GET", "/foo/-/.tgz"},
		{"GET", "/foo/-/dl/%2e%2e/x"},
		{"GET", "/foo/-/dl"},
		{"GET", "/foo%252f..%252fbar"},
		{"GET", "/foo//bar"},
		{"GET", "/foo/a/b"},
		{"GET", "/foo/__proto__"},
		{"GET", "/" + strings.Repeat("a", 215)},
		{"GET", "/-"},
		{"PUT", "/-/package/foo/dist-tags/..%2f"},
		{"DELETE", "/foo/-/foo-1.0.0.tgz"},
		{"DELETE", "/foo/-rev/..%2fx"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rt, err := route(t, tt.method, tt.path, "")
			if err == nil {
				t.Fatalf("accepted: %+v", rt)
			}
			if !errors.Is(err, formats.ErrBadPath) {
				t.Errorf("error %v is not ErrBadPath", err)
			}
		})
	}
}

func TestNpmRouteMethods(t *testing.T) {
	for _, tt := range []struct{ method, path string }{
		{"POST", "/foo"}, {"DELETE", "/foo"}, {"PUT", "/foo/-/foo-1.0.0.tgz"}, {"POST", "/foo/1.0.0"}, {"PATCH", "/foo/-rev/1-a"},
	} {
		if _, err := route(t, tt.method, tt.path, ""); !errors.Is(err, formats.ErrMethod) {
			t.Errorf("%s %s: %v, want ErrMethod", tt.method, tt.path, err)
		}
	}
}

// TestNpmSameFileDifferentScopes: two scopes publishing the same file name get
// different cache keys.
func TestNpmSameFileDifferentScopes(t *testing.T) {
	a, _ := route(t, "GET", "/@a/same/-/same-1.0.0.tgz", "")
	b, _ := route(t, "GET", "/@b/same/-/same-1.0.0.tgz", "")
	c, _ := route(t, "GET", "/same/-/same-1.0.0.tgz", "")
	if a.Key == b.Key || a.Key == c.Key || b.Key == c.Key {
		t.Fatalf("keys collide: %q %q %q", a.Key, b.Key, c.Key)
	}
}

func TestNpmWriteError(t *testing.T) {
	rec := httptest.NewRecorder()
	New().WriteError(rec, httptest.NewRequest("GET", "/x", nil), http.StatusBadRequest, errors.New(`bad "name"`))
	if rec.Code != 400 || rec.Header().Get("Content-Type") != "application/json" ||
		strings.TrimSpace(rec.Body.String()) != `{"error":"bad \"name\""}` {
		t.Fatalf("got %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}

func TestNpmCheckBody(t *testing.T) {
	f := New()
	pk, _ := route(t, "GET", "/foo", "")
	tb, _ := route(t, "GET", "/foo/-/foo-1.0.0.tgz", "")
	html := http.Header{"Content-Type": {"text/html"}}
	for _, tt := range []struct {
		rt   formats.Route
		h    http.Header
		head string
		ok   bool
	}{
		{pk, http.Header{}, ` {"name":"foo"}`, true},
		{pk, http.Header{}, `<!doctype html>`, false},
		{pk, html, `{}`, false},
		{tb, http.Header{}, "\x1f\x8b\x08\x00", true},
		{tb, http.Header{}, "PK\x03\x04", false},
	} {
		if err := f.CheckBody(tt.rt, tt.h, []byte(tt.head)); (err == nil) != tt.ok {
			t.Errorf("CheckBody(%v, %q) = %v", tt.rt.Kind, tt.head, err)
		}
	}
}

// A change invalidates packumentKeys; the read routes must use the same keys,
// and the abbreviated one must name the full document as its alternate.
func TestNpmPackumentKeysMatchInvalidation(t *testing.T) {
	keys := packumentKeys("@acme/tool")
	full, abbrev := packument("@acme/tool", false), packument("@acme/tool", true)
	alts := New().Alternates(abbrev)
	if full.Key != keys[0] || abbrev.Key != keys[1] || len(alts) != 1 || alts[0] != keys[0] || New().Alternates(full) != nil {
		t.Fatalf("keys %q, routes %q and %q (alternates %q)", keys, full.Key, abbrev.Key, alts)
	}
	if full.UpstreamHeader.Get("Accept") != acceptFull || abbrev.UpstreamHeader.Get("Accept") != acceptAbbrev {
		t.Fatalf("upstream Accept %q and %q", full.UpstreamHeader.Get("Accept"), abbrev.UpstreamHeader.Get("Accept"))
	}
}

// The route of a packument hit, which runs on every request for one.
func BenchmarkRoutePackument(b *testing.B) {
	r := httptest.NewRequest(http.MethodGet, "http://hoard/@acme/tool", nil)
	r.Header.Set("Accept", acceptAbbrev)
	f := New()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Route(r, "/@acme/tool"); err != nil {
			b.Fatal(err)
		}
	}
}
