package maven

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hoard/formats/routecheck"
)

var fuzzMethods = []string{"GET", "HEAD", "PUT", "DELETE", "POST"}

// FuzzMavenRoute: any path, by any method, is refused or routed to keys and an
// upstream path that stay in their place (routecheck.Check).
func FuzzMavenRoute(f *testing.F) {
	for _, s := range []string{
		"/com/acme/x/1.0/x-1.0.jar", "/com/acme/x/1.0/x-1.0.jar.sha1", "/com/acme/x/maven-metadata.xml",
		"/com/acme/x/1.0-SNAPSHOT/x-1.0-20260101.120000-1.jar", "/com/acme/x/1.0/x-1.0.module",
		"/com/%2e%2e/x", "/com/..%2fx/y", "/a/..;/b", "/a//b", "/a/%252e%252e/b", "/a\\b/c", "/a/%00/b",
		"/org/apache/maven/plugins/maven-jar-plugin/3.3.0/maven-jar-plugin-3.3.0.pom",
	} {
		for i := range fuzzMethods {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, m uint8, rest string) {
		r := httptest.NewRequest(http.MethodGet, "/maven/x", nil)
		r.Method = fuzzMethods[int(m)%len(fuzzMethods)]
		rt, err := New().Route(r, rest)
		if err != nil {
			return
		}
		if err := routecheck.Check(rt); err != nil {
			t.Fatalf("%s %q: %v", r.Method, rest, err)
		}
		for _, s := range New().Sidecars(rt) {
			if err := routecheck.Check(s.Route); err != nil {
				t.Fatalf("%s %q sidecar: %v", r.Method, rest, err)
			}
		}
	})
}

// FuzzMavenCheckBody: whatever an upstream sends as maven-metadata.xml (or any
// file), the check of its first bytes never panics and always refuses an HTML page.
func FuzzMavenCheckBody(f *testing.F) {
	seeds := []string{
		`<?xml version="1.0" encoding="UTF-8"?><metadata><groupId>com.acme</groupId><artifactId>x</artifactId><versioning><latest>1.0</latest><versions><version>1.0</version></versions></versioning></metadata>`,
		"\ufeff  <!DOCTYPE html><html>", "<HTML><body>login</body></html>", "",
	}
	// The fixtures of the Maven tests: real files as an upstream serves them.
	filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(p, "fuzz") {
			if b, err := os.ReadFile(p); err == nil && len(b) < 1<<16 {
				seeds = append(seeds, string(b))
			}
		}
		return nil
	})
	for _, s := range seeds {
		f.Add("application/xml", []byte(s))
	}
	rt := readRoute("/com/acme/x/maven-metadata.xml")
	f.Fuzz(func(t *testing.T, ct string, head []byte) {
		h := http.Header{"Content-Type": {ct}}
		err := New().CheckBody(rt, h, head)
		lead := strings.ToLower(strings.TrimLeft(string(head), " \t\r\n\ufeff"))
		html := strings.HasPrefix(lead, "<html") || strings.HasPrefix(lead, "<!doctype html") ||
			strings.HasPrefix(strings.ToLower(ct), "text/html")
		if html && err == nil {
			t.Fatalf("HTML page accepted: %q %q", ct, head)
		}
	})
}
