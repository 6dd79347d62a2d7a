package harness

import (
	"strings"
	"testing"
	"time"

	"hoard/bench/loadgen"
)

func TestColdAndDocReport(t *testing.T) {
	row := func(kind, server string, total time.Duration) coldRow {
		return coldRow{kind: kind, server: server, st: exchangeStats{N: 3, OK: 3, TTFB50: total, Tot50: total}, cpu: 0.002, peak: 40 << 20, peakAnon: 30 << 20, docFetches: -1}
	}
	r := newReport(Config{BlobConc: 4, OriginRate: 100 << 20, Commit: "test"})
	r.cold = []coldRow{
		row(coldNpm200K, "origin", 20*time.Millisecond),
		row(coldNpm200K, "nginx-cache", 21*time.Millisecond),
		row(coldNpm200K, "hoard", 24*time.Millisecond), // within 5 ms of the origin, 3 ms behind nginx
		row(coldOCIToken, "origin", 40*time.Millisecond),
		row(coldOCIToken, "hoard", 41*time.Millisecond),
		row(coldNpm20M, "origin", 40*time.Millisecond),
		row(coldNpm20M, "hoard", 900*time.Millisecond), // no target of its own
		row(coldTgz20K, "origin", 20*time.Millisecond),
		row(coldTgz20K, "hoard", 22*time.Millisecond),
		row(coldTgz20K, "verdaccio", 30*time.Millisecond),
		row(coldTgz20M, "origin", 20*time.Millisecond),
		row(coldTgz20M, "hoard", 23*time.Millisecond),
		row(coldTgz20M, "verdaccio", 730*time.Millisecond),
	}
	r.cold[len(r.cold)-2].docFetches = 0
	r.cold[len(r.cold)-1].docFetches = 2
	st := loadgen.Stats{Requests: 100, Elapsed: time.Second, Bytes: 100 * 21e6}
	st.Latency.Add(10 * time.Millisecond)
	r.doc = []loadRow{
		{item: "20 MB packument", conc: 4, server: "nginx-static", res: loadResult{Stats: st, CPU: 0.5, PeakRSS: 10 << 20}},
		{item: "20 MB packument", conc: 4, server: "hoard", res: loadResult{Stats: st, CPU: 0.6, PeakRSS: 70 << 20, PeakAnon: 50 << 20}},
	}
	r.servers = []string{"nginx-static", "hoard"}
	md := r.markdown()
	for _, want := range []string{
		"| npm packument 200 KB, unpaced | hoard | 3/3 | 24.00 ms | 24.00 ms | +4.00 ms | +4.00 ms | 2.00 | 40 MB (anon 30 MB) |",
		"✓ cold npm packument 200 KB, unpaced: +4.00 ms added to the origin's own time (target ≤ 5 ms)",
		"✗ cold npm packument 200 KB, unpaced: +3.00 ms against nginx proxy_cache (target ≤ +2 ms)",
		"✓ cold OCI manifest by tag, token flow: +1.00 ms",
		"hoard +1.00 ms (23.00 ms against 22.00 ms); verdaccio +700.00 ms",
		"fetched the document again): hoard 20 MB packument cached 0, verdaccio 20 MB packument cached 2.",
		"## Warm 20 MB packument (full document, concurrency 4, one run)",
		"| hoard | 100.0 | 10.00 ms | 10.00 ms | 6.00 | 0.286 | 70 MB (anon 50 MB) | 1.20 | – |",
		"| hoard | – | – | – | 70 MB (anon 50 MB) | – |",
		"- 20 MB packument (about 21 MB): Hoard's peak RSS 40 MB (anon 30 MB) over its cold fills, 70 MB (anon 50 MB) serving it warm at concurrency 4",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "cold npm packument 20 MB, unpaced: +") {
		t.Error("the 20 MB cold fill was held to a target it does not have")
	}
}
