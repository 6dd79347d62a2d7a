package proxy

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The cost of verifying a blob's first serve since start, against the sendfile path
// every later serve takes: the same 1 MiB file, over loopback HTTP.
// Run: go test -run x -bench FirstServe -benchmem ./proxy/
func BenchmarkFirstServe1MiB(b *testing.B) {
	e, _ := warmEnv(b, 1<<20)
	entry, err := e.store.Lookup(e.key(jarPath))
	if err != nil {
		b.Fatal(err)
	}
	m := e.srv.mounts["maven"]
	for _, mode := range []string{"verified", "sendfile"} {
		b.Run(mode, func(b *testing.B) {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				f, err := e.store.OpenBlob(entry)
				if err != nil {
					http.Error(w, err.Error(), 500)
					return
				}
				defer f.Close()
				if mode == "verified" {
					e.srv.engine.serveVerifying(w, r, m, entry, f, resultHit, "")
					return
				}
				http.ServeContent(w, r, "", entry.FetchedAt, f)
			}))
			defer hs.Close()
			c := benchClient()
			b.SetBytes(entry.Size)
			b.ReportAllocs()
			for b.Loop() {
				if err := fetchDiscard(c, hs.URL, entry.Size); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
