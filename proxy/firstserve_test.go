package proxy

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"hoard/cache"
)

// A bit flipped in a stored 1 MiB blob after a restart: its first serve aborts the
// transfer (never a complete wrong body), drops the entry and counts it; the next
// request fetches it again, and later serves are hits of the right bytes.
func TestFirstServeAfterRestartIsVerified(t *testing.T) {
	for _, rangeReq := range []bool{false, true} {
		o := newOrigin(t)
		jar := randomBytes(t, 1<<20)
		o.publish(jarPath, jar)
		e := newEnv(t, o)
		mustGet(t, e.url(jarPath), jar)
		e.waitFills()
		entry, err := e.store.Lookup(e.key(jarPath))
		if err != nil {
			t.Fatal(err)
		}
		// Restart: a new store on the same directory, with a bit flipped meanwhile.
		e.hoard.Close()
		if err := e.store.Close(); err != nil {
			t.Fatal(err)
		}
		blob := filepath.Join(e.dir, "blobs", "sha256", entry.Digest.Hex()[:2], entry.Digest.Hex())
		b, err := os.ReadFile(blob)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x01
		if err := os.WriteFile(blob, b, 0o644); err != nil {
			t.Fatal(err)
		}
		store, err := cache.Open(cache.Options{Dir: e.dir, Logger: zerolog.Nop()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		srv, hs, _ := startServer(t, store, testConfig(e.dir, o.srv.URL))
		url := hs.URL + "/maven" + jarPath

		hdr := http.Header{}
		if rangeReq {
			hdr.Set("Range", "bytes=0-99")
		}
		before := o.count(jarPath)
		r := do(t, http.MethodGet, url, nil, hdr)
		switch {
		case !rangeReq && r.clean():
			t.Fatalf("a corrupt blob was served as a clean 200 of %d bytes", len(r.body))
		case rangeReq && (r.status != http.StatusPartialContent || string(r.body) != string(jar[:100])):
			t.Fatalf("Range over a corrupt blob: %d %d bytes; want 206 of the published bytes, fetched again", r.status, len(r.body))
		}
		if got := counterValue(t, srv.metrics.corrupt.WithLabelValues("maven")); got != 1 {
			t.Errorf("hoard_corrupt_blobs_total = %v, want 1", got)
		}
		srv.WaitFills(t.Context())
		mustGet(t, url, jar)
		if got := o.count(jarPath) - before; got != 1 {
			t.Errorf("upstream requests after the corrupt serve = %d, want 1 (fetched again once)", got)
		}
		srv.WaitFills(t.Context())
		wantCacheResult(t, mustGet(t, url, jar), resultHit)
	}
}
