package nuget_test

// The format through the real engine in front of an upstream that misbehaves: a
// .nupkg that does not match its packageHash, an HTML page, a package whose
// .nuspec names another version, a truncated zip. Each is a 502 and nothing is
// cached: the next request asks the upstream again.

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/formats"
	"hoard/formats/nuget"
	"hoard/proxy"
)

func pkg(id, version string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create(id + ".nuspec")
	fmt.Fprintf(w, `<package><metadata><id>%s</id><version>%s</version></metadata></package>`, id, version)
	zw.Close()
	return b.Bytes()
}

// badUpstream serves acme's feed: its index, a registration whose packageHash is
// hashed, and body for every .nupkg; it counts .nupkg requests.
type badUpstream struct {
	srv    *httptest.Server
	body   []byte
	ctype  string
	hashed []byte
	mu     sync.Mutex
	nupkgs int
}

func (u *badUpstream) serve(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == "/acme/index.json":
		fmt.Fprintf(w, `{"version":"3.0.0","resources":[{"@id":"%s/acme/download","@type":"PackageBaseAddress/3.0.0"},{"@id":"%s/acme/","@type":"RegistrationsBaseUrl/3.6.0"}]}`, u.srv.URL, u.srv.URL)
	case p == "/acme/tool/index.json":
		sum := sha512.Sum512(u.hashed)
		doc := map[string]any{"items": []any{map[string]any{"lower": "1.0.0", "upper": "1.0.0", "items": []any{map[string]any{
			"catalogEntry": map[string]any{"id": "tool", "version": "1.0.0", "packageHashAlgorithm": "SHA512", "packageHash": base64.StdEncoding.EncodeToString(sum[:])},
		}}}}}
		json.NewEncoder(w).Encode(doc)
	case strings.HasSuffix(p, ".nupkg"):
		u.mu.Lock()
		u.nupkgs++
		u.mu.Unlock()
		w.Header().Set("Content-Type", u.ctype)
		w.Write(u.body)
	default:
		http.NotFound(w, r)
	}
}

func startHoard(t *testing.T, up *badUpstream) *httptest.Server {
	t.Helper()
	up.srv = httptest.NewServer(http.HandlerFunc(up.serve))
	t.Cleanup(up.srv.Close)
	dir := t.TempDir()
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := configs.Default()
	cfg.Listen, cfg.DataDir, cfg.Auth.Mode = "127.0.0.1:0", dir, "none"
	cfg.Upstream.Retries = 0
	cfg.Cache.NegativeTTL = 0
	cfg.Mounts = []configs.Mount{{Name: "nuget", Format: "nuget", Upstream: up.srv.URL}}
	if err := cfg.Validate(func(n string) bool { return n == "nuget" }); err != nil {
		t.Fatal(err)
	}
	srv, err := proxy.New(proxy.Options{Config: cfg, Store: store, Formats: map[string]formats.Format{"nuget": nuget.New()}, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		// Fills run on their own (a sidecar's outlives the request that began it):
		// they end before the cache closes, which the cleanup registered first does.
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.WaitFills(ctx)
	})
	return hs
}

func TestBadPackagesAreNotCached(t *testing.T) {
	good := pkg("tool", "1.0.0")
	full := pkg("tool", "1.0.0")
	for name, up := range map[string]*badUpstream{
		"hash mismatch": {body: pkg("Tool", "1.0"), hashed: good, ctype: "application/octet-stream"},
		"html page":     {body: []byte("<html><body>sign in</body></html>"), hashed: good, ctype: "text/html"},
		"other version": {body: pkg("tool", "2.0.0"), ctype: "application/octet-stream"},
		"other id":      {body: pkg("tool2", "1.0.0"), ctype: "application/octet-stream"},
		"truncated zip": {body: full[:len(full)-30], ctype: "application/octet-stream"},
		"not a zip":     {body: []byte("PK\x03\x04 and then nothing of a zip"), ctype: "application/octet-stream"},
	} {
		t.Run(name, func(t *testing.T) {
			hs := startHoard(t, up)
			for range 2 {
				resp, err := http.Get(hs.URL + "/nuget/acme/download/tool/1.0.0/tool.1.0.0.nupkg")
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadGateway {
					t.Errorf("%d %s, want 502", resp.StatusCode, body)
				}
			}
			up.mu.Lock()
			n := up.nupkgs
			up.mu.Unlock()
			if n != 2 {
				t.Errorf("the upstream was asked %d times for the package, want 2 (nothing cached)", n)
			}
		})
	}
	t.Run("good package", func(t *testing.T) {
		up := &badUpstream{body: good, hashed: good, ctype: "application/octet-stream"}
		hs := startHoard(t, up)
		for _, want := range []string{"miss", "hit"} {
			resp, err := http.Get(hs.URL + "/nuget/acme/download/tool/1.0.0/tool.1.0.0.nupkg")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.Equal(body, good) || resp.Header.Get("X-Hoard-Cache") != want {
				t.Errorf("%d %s, want 200 %s", resp.StatusCode, resp.Header.Get("X-Hoard-Cache"), want)
			}
		}
	})
}
