package oci

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"hoard/formats"
)

var (
	d256 = "sha256:" + strings.Repeat("a1", 32)
	d512 = "sha512:" + strings.Repeat("b2", 64)
)

const allTypes = MediaOCIIndex + ", " + MediaOCIManifest + ", " + MediaDockerList + ", " + MediaDockerManifest

func request(method, target, accept string) *http.Request {
	r := httptest.NewRequest(method, "http://hoard"+target, nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	return r
}

// rest is what the proxy hands the format: the escaped path after /v2/MOUNT.
func route(t *testing.T, f Format, method, target, accept string) (formats.Route, error) {
	t.Helper()
	r := request(method, target, accept)
	return f.Route(r, r.URL.EscapedPath())
}

func TestOCIRoutes(t *testing.T) {
	cases := []struct {
		method, target, accept string
		kind                   formats.Kind
		key, path, query       string
		expect                 string
	}{
		{"GET", "/owner/img/manifests/v1", allTypes, formats.Metadata, "owner/img/manifests/v1", "/v2/owner/img/manifests/v1", "", ""},
		{"HEAD", "/owner/img/manifests/v1", "", formats.Metadata, "owner/img/manifests/v1", "/v2/owner/img/manifests/v1", "", ""},
		{"GET", "/owner/img/manifests/v1", "*/*", formats.Metadata, "owner/img/manifests/v1", "/v2/owner/img/manifests/v1", "", ""},
		{"GET", "/owner/img/manifests/v1", MediaOCIManifest, formats.Metadata, "owner/img/manifests/v1" + variantSep + MediaOCIManifest, "/v2/owner/img/manifests/v1", "", ""},
		{"GET", "/owner/img/manifests/" + d256, MediaOCIManifest, formats.Artifact, "owner/img/manifests/" + d256, "/v2/owner/img/manifests/" + d256, "", d256},
		{"GET", "/owner/img/manifests/" + d512, "", formats.Passthrough, "", "/v2/owner/img/manifests/" + d512, "", ""},
		{"GET", "/a/b/c/blobs/" + d256, "", formats.Artifact, "a/b/c/blobs/" + d256, "/v2/a/b/c/blobs/" + d256, "", d256},
		{"HEAD", "/a/blobs/" + d256, "", formats.Artifact, "a/blobs/" + d256, "/v2/a/blobs/" + d256, "", d256},
		{"DELETE", "/a/blobs/" + d256, "", formats.Delete, "a/blobs/" + d256, "/v2/a/blobs/" + d256, "", ""},
		{"DELETE", "/a/manifests/v1", "", formats.Delete, "a/manifests/v1", "/v2/a/manifests/v1", "", ""},
		{"POST", "/a/blobs/uploads/", "", formats.Publish, "", "/v2/a/blobs/uploads/", "", ""},
		{"POST", "/a/blobs/uploads/?mount=" + d256 + "&from=b/c", "", formats.Publish, "", "/v2/a/blobs/uploads/", "from=b%2Fc&mount=" + strings.Replace(d256, ":", "%3A", 1), ""},
		{"PATCH", "/a/blobs/uploads/u-1?_state=xyz", "", formats.Publish, "", "/v2/a/blobs/uploads/u-1", "_state=xyz", ""},
		{"GET", "/a/blobs/uploads/u-1", "", formats.Passthrough, "", "/v2/a/blobs/uploads/u-1", "", ""},
		{"GET", "/a/tags/list", "", formats.Metadata, "a/tags/list", "/v2/a/tags/list", "", ""},
		{"GET", "/a/tags/list?last=v1", "", formats.Metadata, "a/tags/list?last=v1", "/v2/a/tags/list?last=v1", "", ""},
		{"GET", "/a/tags/list?n=2&last=v1", "", formats.Passthrough, "", "/v2/a/tags/list", "last=v1&n=2", ""},
		{"GET", "/a/referrers/" + d256, "", formats.Metadata, "a/referrers/" + d256, "/v2/a/referrers/" + d256, "", ""},
		// names may contain the endpoint words
		{"GET", "/blobs/manifests/manifests/latest", allTypes, formats.Metadata, "blobs/manifests/manifests/latest", "/v2/blobs/manifests/manifests/latest", "", ""},
	}
	for _, c := range cases {
		rt, err := route(t, New(), c.method, c.target, c.accept) // fresh: deletes renew keys

		if err != nil {
			t.Errorf("%s %s: %v", c.method, c.target, err)
			continue
		}
		if rt.Kind != c.kind || rt.Key != c.key || rt.Path != c.path || rt.RawQuery != c.query {
			t.Errorf("%s %s: kind %v key %q path %q query %q", c.method, c.target, rt.Kind, rt.Key, rt.Path, rt.RawQuery)
		}
		if c.expect != "" && (len(rt.Expect) != 1 || rt.Expect[0].Algo+":"+rt.Expect[0].Hex != c.expect) {
			t.Errorf("%s %s: expect %v", c.method, c.target, rt.Expect)
		}
	}
}

func TestOCITagManifestRoute(t *testing.T) {
	// A client that takes only some types gets a variant of its own, which the
	// canonical one answers when its type is one of them.
	rt, _ := route(t, New(), "GET", "/a/manifests/v1", MediaDockerManifest+", application/x-custom+json")
	if rt.Kind != formats.Metadata || rt.Key != "a/manifests/v1"+variantSep+"application/vnd.docker.distribution.manifest.v2+json,application/x-custom+json" ||
		len(rt.AcceptTypes) != 2 || rt.UpstreamHeader.Get("Accept") != "application/vnd.docker.distribution.manifest.v2+json, application/x-custom+json" {
		t.Fatalf("narrow Accept: %+v", rt)
	}
	if alts := New().Alternates(rt); len(alts) != 1 || alts[0] != "a/manifests/v1" {
		t.Fatalf("narrow Accept: alternates %v", alts)
	}
	rt, _ = route(t, New(), "GET", "/a/manifests/v1", allTypes+", application/x-custom+json")
	if rt.TTLClass != "tag" || New().RevalidateHead(rt) != "Docker-Content-Digest" || !New().ReadsWhole(rt) {
		t.Fatalf("%+v", rt)
	}
	if got := rt.UpstreamHeader.Get("Accept"); !strings.Contains(got, MediaOCIIndex) || !strings.Contains(got, "application/x-custom+json") {
		t.Fatalf("upstream Accept %q", got)
	}
	// The standard types alone (or */*) ask the upstream for exactly the standard types.
	for _, accept := range []string{allTypes, "*/*", ""} {
		rt, _ = route(t, New(), "GET", "/a/manifests/v1", accept)
		got := rt.UpstreamHeader.Get("Accept")
		for _, mt := range standardManifestTypes {
			if !strings.Contains(got, mt) {
				t.Errorf("Accept %q: upstream Accept %q lacks %s", accept, got, mt)
			}
		}
		if strings.Contains(got, "custom") || strings.Contains(got, "*/*") {
			t.Errorf("Accept %q: upstream Accept %q has more than the standard types", accept, got)
		}
	}
}

func TestOCIRefusedRoutes(t *testing.T) {
	f := New()
	cases := []struct {
		method, target string
		code           string
		method405      bool
	}{
		{"GET", "/UPPER/manifests/v1", CodeNameInvalid, false},
		{"GET", "/a/../b/manifests/v1", CodeNameInvalid, false},
		{"GET", "/a/%2e%2e/manifests/v1", CodeNameInvalid, false},
		{"GET", "/a//b/manifests/v1", CodeNameInvalid, false},
		{"GET", "/a/manifests/-bad", CodeManifestInvalid, false},
		{"GET", "/a/manifests/sha256:abc", CodeDigestInvalid, false},
		{"GET", "/a/blobs/latest", CodeDigestInvalid, false},
		{"GET", "/a/blobs/md5:" + strings.Repeat("0", 32), CodeDigestInvalid, false},
		{"GET", "/a/referrers/nope", CodeDigestInvalid, false},
		{"POST", "/a/blobs/uploads/?digest=sha256:zz", CodeDigestInvalid, false},
		{"POST", "/a/blobs/uploads/?mount=" + d256 + "&from=Bad..Name", CodeNameInvalid, false},
		{"PUT", "/a/blobs/uploads/u1", CodeDigestInvalid, false},
		{"GET", "/a/tags/list?n=x", CodeUnsupported, false},
		{"GET", "/a/tags/list?last=-x", CodeUnsupported, false},
		{"GET", "/a/nothing/here", CodeUnsupported, false},
		{"POST", "/a/manifests/v1", CodeUnsupported, true},
		{"PUT", "/a/blobs/" + d256, CodeUnsupported, true},
		{"DELETE", "/a/tags/list", CodeUnsupported, true},
	}
	for _, c := range cases {
		_, err := route(t, f, c.method, c.target, "")
		if err == nil {
			t.Errorf("%s %s accepted", c.method, c.target)
			continue
		}
		if !isCode(err, c.code) {
			t.Errorf("%s %s: %v, want code %s", c.method, c.target, err, c.code)
		}
		if got := errors.Is(err, formats.ErrMethod); got != c.method405 {
			t.Errorf("%s %s: ErrMethod %v", c.method, c.target, got)
		}
		if !c.method405 && !errors.Is(err, formats.ErrBadPath) {
			t.Errorf("%s %s: not ErrBadPath", c.method, c.target)
		}
	}
}

// A push or delete through Hoard moves the repository's mutable keys to a new
// generation, so a tag list or a remembered 404 cached before it is never served.
func TestOCIWritesRenewMutableKeys(t *testing.T) {
	f := New()
	before, _ := route(t, f, "GET", "/a/tags/list", "")
	other, _ := route(t, f, "GET", "/b/tags/list", "")
	put := request("PUT", "/a/manifests/v2", "")
	if _, err := f.Route(put, "/a/manifests/v2"); err != nil {
		t.Fatal(err)
	}
	after, _ := route(t, f, "GET", "/a/tags/list", "")
	if before.Key == after.Key {
		t.Fatalf("tag list key unchanged after a push: %q", after.Key)
	}
	if again, _ := route(t, f, "GET", "/b/tags/list", ""); again.Key != other.Key {
		t.Fatalf("another repository's key changed: %q -> %q", other.Key, again.Key)
	}
	dig, _ := route(t, f, "GET", "/a/manifests/"+d256, MediaOCIManifest)
	if dig.Key != "a/manifests/"+d256 {
		t.Fatalf("content by digest must keep its key: %q", dig.Key)
	}
}
