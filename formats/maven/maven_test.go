package maven

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"

	"hoard/formats"
)

func route(t *testing.T, method, rest string) (formats.Route, error) {
	t.Helper()
	r := httptest.NewRequest(method, "/maven/x", nil)
	return New().Route(r, rest)
}

func TestRouteKinds(t *testing.T) {
	cases := []struct {
		method, rest string
		kind         formats.Kind
		class        string
		sidecars     int
	}{
		{"GET", "/com/acme/x/1.0/x-1.0.jar", formats.Artifact, "", 3},
		{"HEAD", "/com/acme/x/1.0/x-1.0.pom", formats.Artifact, "", 3},
		{"GET", "/com/acme/x/1.0/x-1.0.jar.sha1", formats.Artifact, "", 0},
		{"GET", "/com/acme/x/1.0/x-1.0.module", formats.Artifact, "", 3},
		{"GET", "/com/acme/x/maven-metadata.xml", formats.Metadata, "metadata", 3},
		{"GET", "/com/acme/x/maven-metadata.xml.sha1", formats.Metadata, "metadata", 0},
		{"GET", "/com/acme/x/1.0-SNAPSHOT/x-1.0-20240101.101010-1.jar", formats.Metadata, "snapshot", 3},
		{"GET", "/OWNER/REPO/com/acme/x/1.0/x-1.0.jar", formats.Artifact, "", 3},
		{"PUT", "/com/acme/x/1.0/x-1.0.jar", formats.Publish, "", 0},
		{"DELETE", "/com/acme/x/1.0/x-1.0.jar", formats.Delete, "", 0},
	}
	for _, c := range cases {
		rt, err := route(t, c.method, c.rest)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.rest, err)
		}
		if rt.Kind != c.kind || rt.TTLClass != c.class || len(New().Sidecars(rt)) != c.sidecars {
			t.Errorf("%s %s: kind %v class %q sidecars %d; want %v %q %d", c.method, c.rest, rt.Kind, rt.TTLClass, len(New().Sidecars(rt)), c.kind, c.class, c.sidecars)
		}
		if rt.Path != c.rest || rt.Key != c.rest[1:] {
			t.Errorf("%s: upstream path %q, key %q", c.rest, rt.Path, rt.Key)
		}
		for _, sc := range New().Sidecars(rt) {
			if want := c.rest + "." + sc.Algo; sc.Route.Path != want || sc.Route.Key != want[1:] {
				t.Errorf("%s: %s sidecar at path %q, key %q", c.rest, sc.Algo, sc.Route.Path, sc.Route.Key)
			}
		}
	}
}

func TestRouteDecodesEscapes(t *testing.T) {
	rt, err := route(t, "GET", "/com/acme/x/1.0/x%2B1-1.0.jar")
	if err != nil {
		t.Fatal(err)
	}
	if rt.Path != "/com/acme/x/1.0/x+1-1.0.jar" || rt.Key != "com/acme/x/1.0/x+1-1.0.jar" || rt.Package != "com/acme/x/1.0" {
		t.Errorf("escaped path routed to path %q, key %q, package %q", rt.Path, rt.Key, rt.Package)
	}
}

func TestPublishInvalidatesMetadata(t *testing.T) {
	rt, err := route(t, "PUT", "/com/acme/x/1.0/x-1.0.jar")
	if err != nil {
		t.Fatal(err)
	}
	if !rt.CacheOnSuccess {
		t.Error("a release artifact upload should be cached once accepted")
	}
	want := map[string]bool{"com/acme/x/maven-metadata.xml": false, "com/acme/x/1.0/maven-metadata.xml": false, "com/acme/x/maven-metadata.xml.sha1": false}
	for _, k := range rt.Invalidate {
		if _, ok := want[k]; ok {
			want[k] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("publish does not invalidate %s (got %v)", k, rt.Invalidate)
		}
	}
	meta, _ := route(t, "PUT", "/com/acme/x/maven-metadata.xml")
	if meta.CacheOnSuccess {
		t.Error("uploaded metadata must not be cached as the client sent it")
	}
}

func TestTraversalRefused(t *testing.T) {
	bad := []string{
		"/com/../etc/passwd", "/com/%2e%2e/etc/passwd", "/com/%2E%2E/x", "/com/%252e%252e/x",
		"/com/..;/x.jar", "/com\\..\\x.jar", "//etc/passwd", "/com/x%00.jar", "/com/a%2fb/x.jar",
		"/com/./x.jar", "/com/x/", "/x.jar", "/com/%5c/x.jar", "/com/x\x00.jar", "/com/%0a/x.jar",
	}
	for _, p := range bad {
		if _, err := route(t, "GET", p); !errors.Is(err, formats.ErrBadPath) {
			t.Errorf("%q: got %v, want a bad-path error", p, err)
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	if _, err := route(t, "POST", "/com/acme/x/1.0/x-1.0.jar"); !errors.Is(err, formats.ErrMethod) {
		t.Errorf("POST: got %v", err)
	}
}

func TestCheckBodyRefusesHTML(t *testing.T) {
	rt, _ := route(t, "GET", "/com/acme/x/1.0/x-1.0.jar")
	f := New()
	if err := f.CheckBody(rt, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, []byte("PK")); err == nil {
		t.Error("text/html content type accepted for a jar")
	}
	if err := f.CheckBody(rt, http.Header{}, []byte("\n  <!DOCTYPE HTML><html>login</html>")); err == nil {
		t.Error("sniffed HTML accepted for a jar")
	}
	if err := f.CheckBody(rt, http.Header{"Content-Type": {"application/java-archive"}}, []byte("PK\x03\x04")); err != nil {
		t.Errorf("a jar refused: %v", err)
	}
}

func TestWriteErrorIsPlainText(t *testing.T) {
	w := httptest.NewRecorder()
	New().WriteError(w, httptest.NewRequest("GET", "/x", nil), http.StatusBadGateway, errors.New("upstream down"))
	if w.Code != 502 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") || !strings.Contains(w.Body.String(), "upstream down") {
		t.Errorf("got %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
}

// dirOf agrees with path.Dir on the clean relative paths routes are given.
func TestDirOfMatchesPathDir(t *testing.T) {
	for _, p := range []string{"", "a", "a/", "a/b", "com/acme/lib/1.0/lib-1.0.jar", "x/y/z/maven-metadata.xml", "a.b/c-d"} {
		if got, want := dirOf(p), path.Dir(p); got != want {
			t.Errorf("dirOf(%q) = %q, path.Dir %q", p, got, want)
		}
	}
}
