package proxy

import (
	"net/http/httptest"

	"github.com/rs/zerolog"

	"fmt"
	"hoard/formats"
	"testing"

	"hoard/bench/npmreg"
	"hoard/formats/npm"
)

// BenchmarkNpmColdMiss: one client asks for packuments no cache holds, one at a
// time, as the bench's cold rows do: what a miss costs Hoard beyond the origin
// (here an in-process one with no latency). Sizes as bench/harness's rows.
func BenchmarkNpmColdMiss(b *testing.B) {
	for _, c := range []struct {
		label    string
		versions int
		docs     int
	}{{"200KB", 31, 200}, {"5MB", 800, 10}} {
		b.Run(c.label, func(b *testing.B) {
			specs := make([]npmreg.BigSpec, c.docs)
			for i := range specs {
				specs[i] = npmreg.BigSpec{Name: fmt.Sprintf("doc%d", i), Versions: c.versions}
			}
			reg, err := npmreg.NewBigRegistry(specs...)
			if err != nil {
				b.Fatal(err)
			}
			size := len(reg.Packument("doc0", false))
			b.SetBytes(int64(size))
			var base string
			i := c.docs
			for b.Loop() {
				if i == c.docs {
					b.StopTimer()
					base = serveUnsettled(b, newNpmEnvWith(b, reg))
					i = 0
					b.StartTimer()
				}
				getDiscarding(b, fmt.Sprintf("%s/doc%d", base, i), size)
				i++
			}
		})
	}
}

// serveUnsettled serves n's cache without waiting for fills after each answer:
// a client's next request on the connection then comes while the previous
// fill commits, as it does in production.
func serveUnsettled(b *testing.B, n *npmEnv) string {
	srv, _, _ := startServerFormats(b, n.store, n.cfg, zerolog.Nop(), map[string]formats.Format{"npm": npm.New()})
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	return hs.URL + "/npm"
}
