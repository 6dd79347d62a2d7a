package harness

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

type smallRow struct {
	item   string
	conc   int
	server string
	res    loadResult
}

type largeRow struct {
	item   string
	server string
	res    loadResult
}

type coldRow struct {
	kind, server string
	st           exchangeStats
}

type herdRow struct {
	item     string
	server   string
	st       exchangeStats
	upstream int64
	wall     time.Duration
	cpu      float64
	peak     int64
	peakAnon int64
	bytes    int64
}

type scaleRow struct {
	entries          int
	keys             int // distinct keys the hits were spread over
	startup, restart time.Duration
	startRSS         int64
	startAnon        int64
	res              loadResult
}

type report struct {
	cfg       Config
	began     time.Time
	servers   []string
	small     []smallRow
	large     []largeRow
	cold      []coldRow
	herd      []herdRow
	scale     []scaleRow
	idle      map[string]int64
	notes     []string
	loadStart string
}

func newReport(cfg Config) *report { return &report{cfg: cfg, began: time.Now(), loadStart: loadavg()} }

// loadavg is the machine's 1, 5 and 15 minute load averages: another busy process
// during a run shows here.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

const reference = "nginx-static"

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func ratio(a, b float64) string {
	if b == 0 || a == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// mbAnon shows a peak RSS with its anonymous part.
func mbAnon(total, anon int64) string {
	if total == 0 {
		return "–"
	}
	return fmt.Sprintf("%s (anon %s)", mb(total), mb(anon))
}

func mb(b int64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f MB", float64(b)/(1<<20))
}

func commitOf(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += " with uncommitted changes"
	}
	return c
}

func (r *report) markdown() string {
	var b strings.Builder
	p := func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }
	commit := r.cfg.Commit
	if commit == "" {
		commit = commitOf(r.cfg.Root)
	}
	p("# Hoard benchmark results\n\n")
	p("- date: %s (took %v)\n", r.began.UTC().Format("2006-01-02 15:04 MST"), time.Since(r.began).Round(time.Second))
	p("- machine: %s\n", machine())
	p("- commit: %s\n", commit)
	p("- load average (1, 5, 15 min): %s at the start, %s at the end\n", r.loadStart, loadavg())
	p("- origin: bench/cmd/origin, %v per request, %.0f MB/s per response body; each load run %v after a %v warm-up\n",
		r.cfg.Latency, float64(r.cfg.OriginRate)/(1<<20), r.cfg.Duration, r.cfg.Warmup)
	p("- servers: %s, all on 127.0.0.1, driven by the same load generator (bench/loadgen: keep-alive HTTP/1.1, closed loop)\n", strings.Join(r.servers, ", "))
	p("- reproduce: `bash bench/run.sh` (see bench/README.md for flags)\n\n")
	p("CPU is the server's own user+system time (all its processes) during the measured run, from /proc/PID/stat. ")
	p("Ratios are to static nginx in the same run (÷ nginx). Peak RSS is VmHWM summed over the server's processes, reset before the scenario.\n\n")
	for _, n := range r.notes {
		p("> %s\n\n", n)
	}

	if len(r.small) > 0 {
		p("## Warm small content\n\n")
		p("| content | conc | server | req/s | p50 | p99 | CPU µs/req | req/s ÷ nginx | CPU/req ÷ nginx |\n|---|---:|---|---:|---:|---:|---:|---:|---:|\n")
		for _, row := range r.small {
			ref := r.smallRef(row.item, row.conc)
			p("| %s | %d | %s | %.0f | %s | %s | %.1f | %s | %s |\n", row.item, row.conc, row.server, row.res.Stats.RPS(),
				ms(row.res.Stats.Latency.Quantile(0.5)), ms(row.res.Stats.Latency.Quantile(0.99)), row.res.CPUPerReq(),
				ratio(row.res.Stats.RPS(), ref.Stats.RPS()), ratio(row.res.CPUPerReq(), ref.CPUPerReq()))
		}
		p("\n")
	}
	if len(r.large) > 0 {
		p("## Warm large blob (%s, concurrency %d)\n\n", mb(r.cfg.BlobBytes), r.cfg.BlobConc)
		p("| content | server | MB/s | CPU s/GB | peak RSS | MB/s ÷ nginx | CPU/GB ÷ nginx |\n|---|---|---:|---:|---:|---:|---:|\n")
		ref := r.largeRef()
		for _, row := range r.large {
			p("| %s | %s | %.0f | %.3f | %s | %s | %s |\n", row.item, row.server, row.res.Stats.MBps(), row.res.CPUPerGB(), mbAnon(row.res.PeakRSS, row.res.PeakAnon),
				ratio(row.res.Stats.MBps(), ref.Stats.MBps()), ratio(row.res.CPUPerGB(), ref.CPUPerGB()))
		}
		p("\n")
	}
	if len(r.cold) > 0 {
		p("## Cold miss (one client, one request at a time, each for content no cache holds yet)\n\n")
		p("| content | server | ok | first byte p50 | total p50 | first byte added to origin | total added to origin |\n|---|---|---:|---:|---:|---:|---:|\n")
		for _, row := range r.cold {
			o := r.coldOrigin(row.kind)
			p("| %s | %s | %d/%d | %s | %s | %s | %s |\n", row.kind, row.server, row.st.OK, row.st.N, ms(row.st.TTFB50), ms(row.st.Tot50),
				added(row, o, func(s exchangeStats) time.Duration { return s.TTFB50 }), added(row, o, func(s exchangeStats) time.Duration { return s.Tot50 }))
		}
		p("\n")
	}
	if len(r.herd) > 0 {
		p("## Thundering herd (%d clients at once for one cold %s blob)\n\n", r.cfg.Herd, mb(r.cfg.BlobBytes))
		p("nginx-static has no miss: its row is the same herd served from disk, the floor. The last column compares the median client's first byte with one cold fetch of a blob of the same size through the same server (cold miss table).\n\n")
		p("| content | server | ok | upstream requests | first byte p50 | first byte p99 | total p50 | total p99 | wall | CPU s | CPU s/GB | peak RSS | first byte p50 ÷ single cold |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, row := range r.herd {
			single := r.coldFor(row.item, row.server)
			up := fmt.Sprint(row.upstream)
			if row.server == reference {
				up = "– (static)"
			}
			p("| %s | %s | %d/%d | %s | %s | %s | %s | %s | %s | %.2f | %.3f | %s | %s |\n", row.item, row.server, row.st.OK, row.st.N, up,
				ms(row.st.TTFB50), ms(row.st.TTFB99), ms(row.st.Tot50), ms(row.st.Tot99), ms(row.wall), row.cpu,
				row.cpu/(float64(row.bytes)/1e9), mb(row.peak), ratio(float64(row.st.TTFB50), float64(single)))
		}
		p("\n")
	}
	if len(r.large) > 0 || len(r.herd) > 0 {
		p("## Memory\n\nPeak RSS is VmHWM (anonymous and file-backed pages together); the anonymous part, sampled every 50 ms, is what the process allocated itself.\n\n")
		p("| server | RSS after the run | peak RSS, small content | peak RSS, large blob | peak RSS, herd |\n|---|---:|---:|---:|---:|\n")
		for _, s := range r.servers {
			var small, large, herd, smallA, largeA, herdA int64
			for _, row := range r.small {
				if row.server == s {
					small, smallA = max(small, row.res.PeakRSS), max(smallA, row.res.PeakAnon)
				}
			}
			for _, row := range r.large {
				if row.server == s {
					large, largeA = max(large, row.res.PeakRSS), max(largeA, row.res.PeakAnon)
				}
			}
			for _, row := range r.herd {
				if row.server == s {
					herd, herdA = max(herd, row.peak), max(herdA, row.peakAnon)
				}
			}
			p("| %s | %s | %s | %s | %s |\n", s, mb(r.idle[s]), mbAnon(small, smallA), mbAnon(large, largeA), mbAnon(herd, herdA))
		}
		p("\n")
	}
	if len(r.scale) > 0 {
		p("## Scale (Hoard alone; hits on keys drawn at random from the whole index, concurrency 16)\n\n")
		p("The entry cache holds about 60,000 decoded entries (16 MiB): 1,000 keys fit it whatever the index size, 100,000 keys mostly read badger.\n\n")
		p("| index entries | keys hit | start-up | restart | RSS after start | hit req/s | p50 | p99 | CPU µs/req | peak RSS | p50 ÷ smallest index |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		base := r.scale[0].res.Stats.Latency.Quantile(0.5)
		for _, row := range r.scale {
			p("| %d | %d | %s | %s | %s | %.0f | %s | %s | %.1f | %s | %s |\n", row.entries, row.keys, ms(row.startup), ms(row.restart), mbAnon(row.startRSS, row.startAnon),
				row.res.Stats.RPS(), ms(row.res.Stats.Latency.Quantile(0.5)), ms(row.res.Stats.Latency.Quantile(0.99)), row.res.CPUPerReq(),
				mbAnon(row.res.PeakRSS, row.res.PeakAnon), ratio(float64(row.res.Stats.Latency.Quantile(0.5)), float64(base)))
		}
		p("\n")
	}
	p("%s", r.targets())
	return b.String()
}

func added(row, origin coldRow, f func(exchangeStats) time.Duration) string {
	if row.server == "origin" || origin.server == "" {
		return "–"
	}
	return fmt.Sprintf("%+.2f ms", float64(f(row.st)-f(origin.st))/1e6)
}

func (r *report) smallRef(item string, conc int) loadResult {
	for _, row := range r.small {
		if row.item == item && row.conc == conc && row.server == reference {
			return row.res
		}
	}
	return loadResult{}
}

func (r *report) smallFor(item string, conc int, server string) (loadResult, bool) {
	for _, row := range r.small {
		if row.item == item && row.conc == conc && row.server == server {
			return row.res, true
		}
	}
	return loadResult{}, false
}

func (r *report) largeRef() loadResult {
	for _, row := range r.large {
		if row.server == reference && row.item == "blob" {
			return row.res
		}
	}
	return loadResult{}
}

func (r *report) coldOrigin(kind string) coldRow {
	for _, row := range r.cold {
		if row.kind == kind && row.server == "origin" {
			return row
		}
	}
	return coldRow{}
}

func (r *report) coldFor(kind, server string) time.Duration {
	for _, row := range r.cold {
		if row.kind == kind && row.server == server {
			return row.st.TTFB50
		}
	}
	return 0
}

// targets checks Hoard against issue 6's targets.
func (r *report) targets() string {
	var b strings.Builder
	check := func(ok bool, f string, a ...any) {
		mark := "✗"
		if ok {
			mark = "✓"
		}
		fmt.Fprintf(&b, "- %s %s\n", mark, fmt.Sprintf(f, a...))
	}
	b.WriteString("## Hoard against its targets\n\n")
	for _, row := range r.small {
		if row.server != "hoard" {
			continue
		}
		ref := r.smallRef(row.item, row.conc)
		c := row.res.CPUPerReq() / ref.CPUPerReq()
		check(c <= 1.25, "warm %s, c=%d: CPU per request %.2f× nginx static (target ≤ 1.25×)", row.item, row.conc, c)
		if pc, ok := r.smallFor(row.item, row.conc, "nginx-cache"); ok {
			check(row.res.Stats.RPS() >= pc.Stats.RPS(), "warm %s, c=%d: %.0f req/s vs nginx proxy_cache %.0f (target ≥)", row.item, row.conc, row.res.Stats.RPS(), pc.Stats.RPS())
		}
		if row.conc == 64 {
			p99 := row.res.Stats.Latency.Quantile(0.99)
			check(p99 < 5*time.Millisecond, "warm %s, c=64: p99 %s (target < 5 ms on a quiet machine)", row.item, ms(p99))
		}
	}
	for _, row := range r.large {
		if row.server != "hoard" {
			continue
		}
		ref := r.largeRef()
		c := row.res.CPUPerGB() / ref.CPUPerGB()
		check(c <= 1.25, "warm %s: CPU per GB %.2f× nginx static (target ≤ 1.25×)", row.item, c)
		t := row.res.Stats.MBps() / ref.Stats.MBps()
		check(t >= 0.9, "warm %s: throughput %.2f× nginx static (target ≥ 0.9×)", row.item, t)
	}
	for _, row := range r.cold {
		if row.server != "hoard" || row.kind == "blob" || row.kind == "OCI layer" {
			continue
		}
		o := r.coldOrigin(row.kind)
		d := row.st.Tot50 - o.st.Tot50
		check(d <= 2*time.Millisecond && row.st.OK == row.st.N, "cold %s: %s added to the origin's own time (target ≤ 2 ms)", row.kind, fmt.Sprintf("%+.2f ms", float64(d)/1e6))
	}
	for _, row := range r.herd {
		if row.server != "hoard" {
			continue
		}
		check(row.upstream == 1, "herd %s: %d upstream request(s) for it (target exactly 1)", row.item, row.upstream)
		single := r.coldFor(row.item, "hoard")
		floor := ""
		for _, o := range r.herd {
			if o.server == reference && o.item == "blob" {
				floor = fmt.Sprintf("; static nginx's median first byte for the same herd from disk: %s", ms(o.st.TTFB50))
			}
		}
		check(single > 0 && row.st.TTFB50 <= 2*single, "herd %s: median first byte %s vs one cold fetch's %s (target ≤ 2×)%s", row.item, ms(row.st.TTFB50), ms(single), floor)
		check(row.st.OK == row.st.N, "herd %s: %d of %d clients got the whole blob", row.item, row.st.OK, row.st.N)
	}
	var peak, anon int64
	for _, row := range r.small {
		if row.server == "hoard" {
			peak, anon = max(peak, row.res.PeakRSS), max(anon, row.res.PeakAnon)
		}
	}
	for _, row := range r.large {
		if row.server == "hoard" {
			peak, anon = max(peak, row.res.PeakRSS), max(anon, row.res.PeakAnon)
		}
	}
	for _, row := range r.herd {
		if row.server == "hoard" {
			peak, anon = max(peak, row.peak), max(anon, row.peakAnon)
		}
	}
	if peak > 0 {
		check(peak < 150<<20, "peak RSS %s (anon %s) in the warm, cold and herd scenarios (target < 150 MB)", mb(peak), mb(anon))
	}
	var speak, sanon int64
	for _, row := range r.scale {
		speak, sanon = max(speak, row.res.PeakRSS, row.startRSS), max(sanon, row.res.PeakAnon, row.startAnon)
	}
	if speak > 0 {
		check(speak < 150<<20, "peak RSS %s (anon %s) in the scale scenario; the rest is badger's memory-mapped tables (target < 150 MB)", mb(speak), mb(sanon))
	}
	if len(r.scale) >= 2 {
		small, big := r.scale[0], r.scale[len(r.scale)-1]
		a := small.res.Stats.Latency.Quantile(0.5)
		for _, row := range r.scale {
			if row.entries != big.entries {
				continue
			}
			z := row.res.Stats.Latency.Quantile(0.5)
			check(float64(z) <= 1.1*float64(a), "%d entries, hits over %d keys: p50 %s vs %s with %d entries (target within 10 %%)", row.entries, row.keys, ms(z), ms(a), small.entries)
		}
		check(big.startup < 3*time.Second && big.restart < 3*time.Second, "%d entries: start-up %s, restart %s (target < 3 s)", big.entries, ms(big.startup), ms(big.restart))
	}
	return b.String()
}
