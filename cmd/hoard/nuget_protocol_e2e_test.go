package main_test

// NuGet protocol through the hoard binary, where NuGet.exe does not go: the service
// index's resources, every registration type (the fake's 3.6.0 documents come
// gzip-encoded), a registration of 130 versions paged by URL, search and
// autocomplete, relist, the plain-feed mount, the 401 challenge, and bad pushes.

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"hoard/bench/fakegithub"
)

// get fetches path from hoard with alice's Basic credentials (auth "" for none).
func (e *nugetEnv) do(method, path, auth string, body []byte, hdr ...string) (int, http.Header, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.h.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{Timeout: time.Minute}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func (e *nugetEnv) basic() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+e.token))
}

// getJSON fetches a document that must be a 200 JSON object, and checks that no
// URL in it points at the upstream.
func (e *nugetEnv) getJSON(path string) map[string]any {
	e.t.Helper()
	status, h, body := e.do(http.MethodGet, path, e.basic(), nil)
	if status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if ce := h.Get("Content-Encoding"); ce != "" {
		e.t.Errorf("GET %s: served with Content-Encoding %q", path, ce)
	}
	if up := e.gh.URL(fakegithub.NuGet); bytes.Contains(body, []byte(strings.TrimPrefix(up, "http://"))) {
		e.t.Errorf("GET %s: the document names the upstream %s: %s", path, up, body)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		e.t.Fatalf("GET %s: %v: %s", path, err, body)
	}
	return doc
}

func TestNuGetProtocolThroughHoard(t *testing.T) {
	needE2E(t)
	e := startNuGetEnv(t)
	e.seed(fakegithub.NuGetPackage("Hoard.App", "1.0.0"), fakegithub.NuGetPackage("Hoard.App", "2.0.0-beta.1"))
	for i := range 130 {
		e.seed(fakegithub.NuGetPackage("Hoard.Many", fmt.Sprintf("1.0.%d", i)))
	}
	pub := e.h.URL + "/nuget/acme/"

	t.Run("challenge", func(t *testing.T) {
		status, h, body := e.do(http.MethodGet, "/nuget/acme/index.json", "", nil)
		if status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic realm=") {
			t.Errorf("anonymous service index: %d %q %s, want 401 with a Basic challenge", status, h.Get("WWW-Authenticate"), body)
		}
	})

	t.Run("private content and scopes", func(t *testing.T) {
		const nupkg = "/nuget/acme/download/hoard.app/1.0.0/hoard.app.1.0.0.nupkg"
		if status, _, _ := e.do(http.MethodGet, nupkg, e.basic(), nil); status != http.StatusOK {
			t.Fatalf("alice's read: %d", status)
		}
		bob := "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:"+e.gh.AddToken("bob", "read:packages")))
		if status, h, _ := e.do(http.MethodGet, nupkg, bob, nil); status != http.StatusNotFound || h.Get("X-Hoard-Cache") != "miss" {
			t.Errorf("bob (no access to acme's private package) got %d %s from the cache, want 404 miss", status, h.Get("X-Hoard-Cache"))
		}
		noScope := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+e.gh.AddToken("alice", "gist")))
		if status, _, _ := e.do(http.MethodGet, nupkg, noScope, nil); status != http.StatusForbidden {
			t.Errorf("a token without read:packages got %d, want 403", status)
		}
	})

	t.Run("service index", func(t *testing.T) {
		doc := e.getJSON("/nuget/acme/index.json")
		types := map[string]string{}
		for _, r := range doc["resources"].([]any) {
			rm := r.(map[string]any)
			id, typ := rm["@id"].(string), rm["@type"].(string)
			types[typ] = id
			if !strings.HasPrefix(id, pub) {
				t.Errorf("%s at %s, not under the feed's prefix %s", typ, id, pub)
			}
		}
		for _, typ := range []string{"PackageBaseAddress/3.0.0", "RegistrationsBaseUrl", "RegistrationsBaseUrl/3.0.0-beta",
			"RegistrationsBaseUrl/3.0.0-rc", "RegistrationsBaseUrl/3.4.0", "RegistrationsBaseUrl/3.6.0",
			"SearchQueryService", "SearchAutocompleteService", "PackagePublish/2.0.0"} {
			id, ok := types[typ]
			if !ok {
				t.Errorf("no %s resource: %v", typ, types)
			}
			if !strings.HasPrefix(typ, "Search") && !strings.HasSuffix(id, "/") {
				t.Errorf("%s base %s does not end in /", typ, id)
			}
		}
	})

	t.Run("registration types", func(t *testing.T) {
		for _, slug := range []string{"registration", "registration-gz", "registration-semver2"} {
			doc := e.getJSON("/nuget/acme/" + slug + "/hoard.app/index.json")
			page := doc["items"].([]any)[0].(map[string]any)
			leaves := page["items"].([]any)
			if len(leaves) != 2 {
				t.Errorf("%s: %d leaves, want 2", slug, len(leaves))
			}
			for _, l := range leaves {
				content := l.(map[string]any)["packageContent"].(string)
				if !strings.HasPrefix(content, pub+"download/hoard.app/") {
					t.Errorf("%s: packageContent %s", slug, content)
				}
			}
			leaf := e.getJSON("/nuget/acme/" + slug + "/hoard.app/2.0.0-beta.1.json")
			if leaf["@id"] != pub+slug+"/hoard.app/2.0.0-beta.1.json" {
				t.Errorf("%s leaf @id %v", slug, leaf["@id"])
			}
		}
	})

	t.Run("paged registration", func(t *testing.T) {
		doc := e.getJSON("/nuget/acme/registration-semver2/hoard.many/index.json")
		pages := doc["items"].([]any)
		if len(pages) != 3 {
			t.Fatalf("%d pages, want 3 (130 versions, 64 a page)", len(pages))
		}
		total := 0
		for _, p := range pages {
			pm := p.(map[string]any)
			if _, inline := pm["items"]; inline {
				t.Errorf("page %v inlined in a paged index", pm["@id"])
			}
			id := pm["@id"].(string)
			if !strings.HasPrefix(id, pub+"registration-semver2/hoard.many/page/") {
				t.Fatalf("page @id %s not rewritten to hoard", id)
			}
			page := e.getJSON(strings.TrimPrefix(id, e.h.URL))
			leaves := page["items"].([]any)
			total += len(leaves)
			first := leaves[0].(map[string]any)["packageContent"].(string)
			if status, _, _ := e.do(http.MethodGet, strings.TrimPrefix(first, e.h.URL), e.basic(), nil); status != http.StatusOK {
				t.Errorf("GET %s from a page: %d", first, status)
			}
		}
		if total != 130 {
			t.Errorf("%d versions over the pages, want 130", total)
		}
	})

	t.Run("search and autocomplete", func(t *testing.T) {
		doc := e.getJSON("/nuget/acme/query?q=hoard.app&prerelease=true")
		data := doc["data"].([]any)
		if len(data) != 1 {
			t.Fatalf("search found %d packages, want 1: %v", len(data), doc)
		}
		res := data[0].(map[string]any)
		if res["@id"] != pub+"registration-semver2/hoard.app/index.json" || len(res["versions"].([]any)) != 2 {
			t.Errorf("search result %v", res)
		}
		ac := e.getJSON("/nuget/acme/autocomplete?q=hoard.m")
		if ids := ac["data"].([]any); len(ids) != 1 || ids[0] != "hoard.many" {
			t.Errorf("autocomplete: %v", ac)
		}
	})

	t.Run("plain feed mount", func(t *testing.T) {
		doc := e.getJSON("/feed/v3/index.json")
		for _, r := range doc["resources"].([]any) {
			if id := r.(map[string]any)["@id"].(string); !strings.HasPrefix(id, e.h.URL+"/feed/v3/") {
				t.Errorf("plain feed resource at %s", id)
			}
		}
		if status, _, body := e.do(http.MethodGet, "/feed/v3/download/hoard.app/1.0.0/hoard.app.1.0.0.nupkg", e.basic(), nil); status != http.StatusOK || !bytes.HasPrefix(body, []byte("PK")) {
			t.Errorf("nupkg through the plain feed: %d", status)
		}
		if status, _, _ := e.do(http.MethodGet, "/feed/acme/index.json", e.basic(), nil); status != http.StatusNotFound {
			t.Errorf("a feed other than v3 on a plain-feed mount: %d, want 404", status)
		}
	})

	t.Run("push renews metadata", func(t *testing.T) {
		before := e.getJSON("/nuget/acme/download/hoard.app/index.json")["versions"].([]any)
		const search = "/nuget/acme/query?q=hoard.app&prerelease=true"
		e.getJSON(search) // cached, fresh for an hour
		status, _, body := e.do(http.MethodPut, "/nuget/acme/api/v2/package/", "", multipartPush(t, fakegithub.NuGetPackage("Hoard.App", "3.0.0")),
			"X-NuGet-ApiKey", e.token, "Content-Type", "multipart/form-data; boundary=hoardtestboundary")
		if status != http.StatusCreated {
			t.Fatalf("push: %d %s", status, body)
		}
		after := e.getJSON("/nuget/acme/download/hoard.app/index.json")["versions"].([]any)
		if len(after) != len(before)+1 || after[len(after)-1] != "3.0.0" {
			t.Errorf("versions index after the push: %v (before %v)", after, before)
		}
		if res := e.getJSON(search)["data"].([]any)[0].(map[string]any); res["version"] != "3.0.0" {
			t.Errorf("search after the push still says %v", res["version"])
		}
		_, h, _ := e.do(http.MethodGet, "/nuget/acme/download/hoard.app/3.0.0/hoard.app.3.0.0.nupkg", e.basic(), nil)
		if got := h.Get("X-Hoard-Cache"); got != "hit" {
			t.Errorf("the pushed package was a %q, want a hit (cached by the push)", got)
		}
		status, _, body = e.do(http.MethodPut, "/nuget/acme/api/v2/package/", "", multipartPush(t, fakegithub.NuGetPackage("Hoard.App", "3.0.0")),
			"X-NuGet-ApiKey", e.token, "Content-Type", "multipart/form-data; boundary=hoardtestboundary")
		if status != http.StatusConflict {
			t.Errorf("re-push: %d %s, want the upstream's 409", status, body)
		}
	})

	t.Run("relist", func(t *testing.T) {
		status, _, body := e.do(http.MethodPost, "/nuget/acme/api/v2/package/Hoard.App/1.0.0", "", nil, "X-NuGet-ApiKey", e.token)
		if status != http.StatusOK {
			t.Errorf("relist: %d %s", status, body)
		}
	})

	t.Run("bad pushes", func(t *testing.T) {
		writes := e.gh.Writes(fakegithub.NuGet)
		for name, body := range map[string][]byte{
			"not a zip":       multipartPush(t, []byte("<html>hello</html>")),
			"no nuspec":       multipartPush(t, zipWithout()),
			"traversal in id": multipartPush(t, fakegithub.NuGetPackage("..%2f..", "1.0.0")),
			"bad version":     multipartPush(t, fakegithub.NuGetPackage("Hoard.Bad", "1.0/../2")),
			"truncated":       multipartPush(t, fakegithub.NuGetPackage("Hoard.Bad", "1.0.0"))[:300],
			"not multipart":   []byte("PK\x03\x04 just bytes"),
		} {
			status, h, resp := e.do(http.MethodPut, "/nuget/acme/api/v2/package/", "", body, "X-NuGet-ApiKey", e.token,
				"Content-Type", "multipart/form-data; boundary=hoardtestboundary")
			if status != http.StatusBadRequest || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Errorf("%s: %d %s %s, want a JSON 400", name, status, h.Get("Content-Type"), resp)
			}
		}
		if n := e.gh.Writes(fakegithub.NuGet) - writes; n != 0 {
			t.Errorf("%d bad pushes reached the upstream", n)
		}
		for _, path := range []string{"/nuget/acme/download/..%2f..%2fetc/index.json", "/nuget/acme/download/a/1.0.0/..%2fb.nupkg", "/nuget/acme/registration/a/page/1.0.0/..json"} {
			if status, _, _ := e.do(http.MethodGet, path, e.basic(), nil); status != http.StatusBadRequest {
				t.Errorf("GET %s: %d, want 400", path, status)
			}
		}
	})
}

// multipartPush is a push body around pkg, with a fixed boundary.
func multipartPush(t *testing.T, pkg []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.SetBoundary("hoardtestboundary")
	w, _ := mw.CreateFormFile("package", "package.nupkg")
	w.Write(pkg)
	mw.Close()
	return b.Bytes()
}

// zipWithout is a zip with no .nuspec.
func zipWithout() []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("lib/a.dll")
	w.Write([]byte("x"))
	zw.Close()
	return b.Bytes()
}
