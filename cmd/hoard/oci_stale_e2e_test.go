package main_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// OCI tags, tag lists and referrers past their TTL are served stale when the
// upstream answers 500, 503 or 429 or is down, as Maven's and npm's metadata are.
func TestOCIMetadataServedStale(t *testing.T) {
	needE2E(t)
	up := newFaultyUpstream(t)
	cfg := writeConfig(t, fmt.Sprintf(`upstream: {header_timeout: 1s, retries: 0, breaker_failures: 1000}
mounts:
  - {name: ghcr, format: oci, upstream: %q, ttl: {tag: 1s, tags: 1s, referrers: 1s}}
`, up.URL()))
	h := startHoard(t, t.TempDir(), "--config", cfg)
	repo := "acme/stale"
	subject := "sha256:" + sha256Hex(ociManifestOf(repo))
	docs := map[string]string{ // hoard path -> upstream path
		"/v2/ghcr/" + repo + "/manifests/v1":         "/v2/" + repo + "/manifests/v1",
		"/v2/ghcr/" + repo + "/tags/list":            "/v2/" + repo + "/tags/list",
		"/v2/ghcr/" + repo + "/referrers/" + subject: "/v2/" + repo + "/referrers/" + subject,
	}
	accept := http.Header{"Accept": {ociAccept}}
	for p := range docs {
		if r := fetch(t, http.MethodGet, h.URL+p, accept); r.status != 200 {
			t.Fatalf("GET %s: %d %.200s", p, r.status, r.body)
		}
	}
	for _, fault := range []string{fault500, fault503, fault429, "down"} {
		time.Sleep(1100 * time.Millisecond) // past every TTL
		if fault == "down" {
			up.Close()
		}
		for p, upath := range docs {
			up.set(upath, fault)
			r := fetch(t, http.MethodGet, h.URL+p, accept)
			if r.status != 200 || r.header.Get("X-Hoard-Cache") != "stale" || r.header.Get("Warning") == "" {
				t.Errorf("%s, GET %s past its TTL: %d, X-Hoard-Cache %q, Warning %q; want 200 stale with a Warning",
					fault, p, r.status, r.header.Get("X-Hoard-Cache"), r.header.Get("Warning"))
			}
			up.set(upath, faultNone)
		}
	}
}

// A client that accepts only some manifest types is served the cached manifest when
// its type is one of them, with no upstream request, also when the upstream is down;
// for other types it gets a variant of its own, cached like the first.
func TestOCIPartialAcceptServedFromCache(t *testing.T) {
	needE2E(t)
	up := newFaultyUpstream(t)
	cfg := writeConfig(t, fmt.Sprintf(`upstream: {header_timeout: 1s, retries: 0, breaker_failures: 1000}
mounts:
  - {name: ghcr, format: oci, upstream: %q, ttl: {tag: 1s}}
`, up.URL()))
	h := startHoard(t, t.TempDir(), "--config", cfg)
	repo := "acme/partial"
	url, upath := h.URL+"/v2/ghcr/"+repo+"/manifests/v1", "/v2/"+repo+"/manifests/v1"
	if r := fetch(t, http.MethodGet, url, http.Header{"Accept": {ociAccept}}); r.status != 200 {
		t.Fatalf("GET with every type: %d", r.status)
	}
	ciScript := http.Header{"Accept": {"application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"}}
	before := up.count(upath)
	for _, method := range []string{http.MethodHead, http.MethodGet} {
		r := fetch(t, method, url, ciScript)
		if r.status != 200 || r.header.Get("X-Hoard-Cache") != "hit" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/vnd.oci.image.manifest.v1+json") {
			t.Errorf("%s with some types, the cached one among them: %d, X-Hoard-Cache %q, Content-Type %q; want a hit",
				method, r.status, r.header.Get("X-Hoard-Cache"), r.header.Get("Content-Type"))
		}
	}
	if n := up.count(upath) - before; n != 0 {
		t.Errorf("the upstream was asked %d times for a tag the cache answers", n)
	}
	dockerOnly := http.Header{"Accept": {"application/vnd.docker.distribution.manifest.v2+json"}}
	for i, want := range []string{"miss", "hit"} {
		if r := fetch(t, http.MethodGet, url, dockerOnly); r.status != 200 || r.header.Get("X-Hoard-Cache") != want {
			t.Errorf("GET %d accepting another type: %d, X-Hoard-Cache %q, want %s", i, r.status, r.header.Get("X-Hoard-Cache"), want)
		}
	}
	up.Close()
	time.Sleep(1100 * time.Millisecond)
	indexOrManifest := http.Header{"Accept": {"application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json"}}
	if r := fetch(t, http.MethodGet, url, indexOrManifest); r.status != 200 || r.header.Get("X-Hoard-Cache") != "stale" {
		t.Errorf("upstream down, some types, the cached one among them: %d, X-Hoard-Cache %q; want 200 stale", r.status, r.header.Get("X-Hoard-Cache"))
	}
}
