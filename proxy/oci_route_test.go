package proxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/formats"
	"hoard/formats/oci"
)

const ociAccept = oci.MediaOCIIndex + ", " + oci.MediaOCIManifest + ", " + oci.MediaDockerList + ", " + oci.MediaDockerManifest

// ociHoard serves one OCI mount "m" in front of upstream; the tag TTL is a nanosecond,
// so every tag read after the first revalidates.
func ociHoard(t *testing.T, upstream string, adjust ...func(*configs.Config)) *httptest.Server {
	t.Helper()
	srv := ociServer(t, upstream, adjust...)
	hs := httptest.NewServer(settled(srv))
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.WaitFills(ctx)
	})
	return hs
}

// ociServer is ociHoard's handler, without a listener.
func ociServer(t testing.TB, upstream string, adjust ...func(*configs.Config)) *Server {
	t.Helper()
	dir := t.TempDir()
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := configs.Default()
	cfg.Listen, cfg.DataDir, cfg.Auth.Mode, cfg.Upstream.Retries = "127.0.0.1:0", dir, "none", 0
	cfg.PublicURL = "https://hoard.example"
	cfg.Mounts = []configs.Mount{{Name: "m", Format: "oci", Upstream: upstream,
		TTL: map[string]configs.Duration{"tag": configs.Duration(time.Nanosecond)}}}
	for _, fn := range adjust {
		fn(&cfg)
	}
	fmts := map[string]formats.Format{"oci": oci.New()}
	if err := cfg.Validate(func(f string) bool { return f == "oci" }); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Config: cfg, Store: store, Formats: fmts, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func ociDo(t *testing.T, method, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestOCIPingChallenges(t *testing.T) {
	f := newFakeRegistry(t)
	h := ociHoard(t, f.srv.URL)
	resp, body := ociDo(t, "GET", h.URL+"/v2/", nil)
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Basic realm="hoard"` ||
		resp.Header.Get("Docker-Distribution-API-Version") != "registry/2.0" || !strings.Contains(string(body), `"UNAUTHORIZED"`) {
		t.Fatalf("anonymous ping: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, _ = ociDo(t, "GET", h.URL+"/v2/", map[string]string{"Authorization": "Basic Og=="})
	if resp.StatusCode != 200 {
		t.Fatalf("ping with credentials: %d", resp.StatusCode)
	}
	resp, body = ociDo(t, "GET", h.URL+"/v2/nomount/x/manifests/v1", nil)
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"NAME_UNKNOWN"`) {
		t.Fatalf("unknown mount: %d %s", resp.StatusCode, body)
	}
}

// A tag is fetched once with an anonymous token; later reads revalidate with a HEAD
// (no GET, so no pull counted against a rate limit) until the digest changes.
func TestOCITagRevalidatesWithHead(t *testing.T) {
	f := newFakeRegistry(t)
	h := ociHoard(t, f.srv.URL)
	url := h.URL + "/v2/m/lib/img/manifests/v1"
	acc := map[string]string{"Accept": ociAccept}
	resp, body := ociDo(t, "GET", url, acc)
	if resp.StatusCode != 200 || string(body) != string(f.manifest) {
		t.Fatalf("first pull: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("Docker-Content-Digest") != "sha256:"+digestHex(f.manifest) ||
		resp.Header.Get("Content-Type") != oci.MediaOCIManifest || resp.ContentLength != int64(len(f.manifest)) {
		t.Fatalf("headers %v", resp.Header)
	}
	if got := f.lastTokenAuth.Load(); got != "" {
		t.Fatalf("anonymous token request carried %q", got)
	}
	for i := 0; i < 3; i++ {
		resp, body = ociDo(t, "GET", url, acc)
		if resp.StatusCode != 200 || resp.Header.Get("X-Hoard-Cache") != "revalidated" || string(body) != string(f.manifest) {
			t.Fatalf("read %d: %d %s %s", i, resp.StatusCode, resp.Header.Get("X-Hoard-Cache"), body)
		}
	}
	if f.manifestGets.Load() != 1 || f.manifestHeads.Load() != 3 || f.tokenCalls.Load() != 1 {
		t.Fatalf("upstream GETs %d HEADs %d tokens %d; want 1, 3, 1 (token cached)", f.manifestGets.Load(), f.manifestHeads.Load(), f.tokenCalls.Load())
	}
	f.mu.Lock()
	f.manifest = []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[{}]}`)
	f.mu.Unlock()
	resp, body = ociDo(t, "HEAD", url, acc)
	if resp.Header.Get("Docker-Content-Digest") != "sha256:"+digestHex(f.manifest) || f.manifestGets.Load() != 2 {
		t.Fatalf("changed tag: digest %s, upstream GETs %d", resp.Header.Get("Docker-Content-Digest"), f.manifestGets.Load())
	}
}

func TestOCIDigestVerified(t *testing.T) {
	f := newFakeRegistry(t)
	h := ociHoard(t, f.srv.URL)
	good := h.URL + "/v2/m/lib/img/manifests/sha256:" + digestHex(f.manifest)
	if resp, body := ociDo(t, "GET", good, nil); resp.StatusCode != 200 || string(body) != string(f.manifest) {
		t.Fatalf("by digest: %d %s", resp.StatusCode, body)
	}
	bad := h.URL + "/v2/m/lib/img/manifests/sha256:" + strings.Repeat("0", 64)
	if resp, body := ociDo(t, "GET", bad, nil); resp.StatusCode != 502 || !strings.Contains(string(body), `"errors"`) {
		t.Fatalf("tampered manifest served: %d %s", resp.StatusCode, body)
	}
}

// Blobs redirected to object storage: followed without Authorization, verified,
// served with the digest header, then HEAD and Range from the cache.
func TestOCIBlobRedirectWithoutCredentials(t *testing.T) {
	f := newFakeRegistry(t)
	h := ociHoard(t, f.srv.URL)
	url := h.URL + "/v2/m/lib/img/blobs/sha256:" + digestHex(f.blob)
	creds := map[string]string{"Authorization": "Basic dXNlcjpwdw=="}
	resp, body := ociDo(t, "GET", url, creds)
	if resp.StatusCode != 200 || string(body) != string(f.blob) || resp.Header.Get("Docker-Content-Digest") != "sha256:"+digestHex(f.blob) {
		t.Fatalf("blob: %d %v", resp.StatusCode, resp.Header)
	}
	if f.storageAuth.Load() != 0 {
		t.Fatal("credentials reached the redirect's host")
	}
	resp, _ = ociDo(t, "HEAD", url, creds)
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(f.blob)) || resp.Header.Get("Docker-Content-Digest") == "" {
		t.Fatalf("HEAD: %d %d %v", resp.StatusCode, resp.ContentLength, resp.Header)
	}
	resp, body = ociDo(t, "GET", url, map[string]string{"Authorization": "Basic dXNlcjpwdw==", "Range": "bytes=6-11"})
	if resp.StatusCode != 206 || string(body) != string(f.blob[6:12]) {
		t.Fatalf("Range: %d %q", resp.StatusCode, body)
	}
}

// A token realm on another host than the registry's (Docker Hub's is) gets
// anonymous token requests only: public images come through, and no credential
// reaches that host unless the mount lists it in token_realms.
func TestOCIForeignRealmAnonymousOnly(t *testing.T) {
	f := newFakeRegistry(t)
	f.realmHost = f.elsewhere.URL
	f.private["team/secret"] = "user:pw"
	creds := map[string]string{"Accept": ociAccept, "Authorization": "Basic dXNlcjpwdw=="}
	h := ociHoard(t, f.srv.URL)
	if resp, body := ociDo(t, "GET", h.URL+"/v2/m/lib/img/manifests/v1", creds); resp.StatusCode != 200 || string(body) != string(f.manifest) {
		t.Fatalf("public image, realm on another host: %d %s", resp.StatusCode, body)
	}
	if resp, _ := ociDo(t, "GET", h.URL+"/v2/m/team/secret/manifests/v1", creds); resp.StatusCode != 401 {
		t.Fatalf("private image, realm on another host not listed: %d, want 401", resp.StatusCode)
	}
	if f.elsewhereHits.Load() == 0 || f.elsewhereAuth.Load() != 0 {
		t.Fatalf("realm on another host: %d requests, %d with credentials; want some, none with credentials",
			f.elsewhereHits.Load(), f.elsewhereAuth.Load())
	}
	host := strings.TrimPrefix(f.elsewhere.URL, "http://")
	listed := ociHoard(t, f.srv.URL, func(c *configs.Config) { c.Mounts[0].TokenRealms = []string{host} })
	if resp, body := ociDo(t, "GET", listed.URL+"/v2/m/team/secret/manifests/v1", creds); resp.StatusCode != 200 || string(body) != string(f.manifest) {
		t.Fatalf("private image, realm listed in token_realms: %d %s", resp.StatusCode, body)
	}
	if f.elsewhereAuth.Load() == 0 {
		t.Fatal("the listed realm never got the credentials")
	}
}

// The caller's credentials are what gets the token; without them the client is
// challenged with Hoard's Basic challenge, never the upstream's realm.
func TestOCIPrivateRepositoryChallenges(t *testing.T) {
	f := newFakeRegistry(t)
	f.private["team/secret"] = "user:pw"
	h := ociHoard(t, f.srv.URL)
	url := h.URL + "/v2/m/team/secret/manifests/v1"
	resp, body := ociDo(t, "GET", url, map[string]string{"Accept": ociAccept})
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Basic realm="hoard"` || !strings.Contains(string(body), "UNAUTHORIZED") {
		t.Fatalf("anonymous: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, body = ociDo(t, "GET", url, map[string]string{"Accept": ociAccept, "Authorization": "Basic dXNlcjpwdw=="})
	if resp.StatusCode != 200 || string(body) != string(f.manifest) {
		t.Fatalf("with credentials: %d %s", resp.StatusCode, body)
	}
	if got, _ := f.lastTokenAuth.Load().(string); got != "Basic dXNlcjpwdw==" {
		t.Fatalf("token server got %q", got)
	}
}

func TestOCIUploadLocationRewritten(t *testing.T) {
	f := newFakeRegistry(t)
	h := ociHoard(t, f.srv.URL)
	resp, _ := ociDo(t, "POST", h.URL+"/v2/m/lib/img/blobs/uploads/", nil)
	if resp.StatusCode != 202 || resp.Header.Get("Location") != "https://hoard.example/v2/m/lib/img/blobs/uploads/u1?_state=abc" {
		t.Fatalf("%d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// A prefix-less default mount; ?ns= picks only among configured mounts and never
// reaches the host it names.
func TestOCIDefaultMountAndNS(t *testing.T) {
	f := newFakeRegistry(t)
	h := ociHoard(t, f.srv.URL, func(c *configs.Config) { c.OCIDefault = "m" })
	for _, ns := range []string{"", "?ns=" + strings.TrimPrefix(f.elsewhere.URL, "http://"), "?ns=" + strings.TrimPrefix(f.srv.URL, "http://")} {
		resp, body := ociDo(t, "GET", h.URL+"/v2/lib/img/manifests/v1"+ns, map[string]string{"Accept": ociAccept})
		if resp.StatusCode != 200 || string(body) != string(f.manifest) {
			t.Fatalf("ns %q: %d %s", ns, resp.StatusCode, body)
		}
	}
	if f.elsewhereHits.Load() != 0 {
		t.Fatal("?ns= reached a host that is not configured")
	}
}
