package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// loadRow is one closed-loop run: a warm small-content run (report.small) or a
// warm large-blob run (report.large), in one round.
type loadRow struct {
	item   string
	conc   int
	server string
	round  int
	res    loadResult
}

func (w loadRow) at() (rowKey, int) { return rowKey{w.item, w.conc, w.server}, w.round }

// The figures of a load run, for figure.
func (w loadRow) rps() float64       { return w.res.Stats.RPS() }
func (w loadRow) p50() float64       { return float64(w.res.Stats.Latency.Quantile(0.5)) }
func (w loadRow) p99() float64       { return float64(w.res.Stats.Latency.Quantile(0.99)) }
func (w loadRow) cpuPerReq() float64 { return w.res.CPUPerReq() }
func (w loadRow) mbps() float64      { return w.res.Stats.MBps() }
func (w loadRow) cpuPerGB() float64  { return w.res.CPUPerGB() }
func (w loadRow) peak() float64      { return float64(w.res.PeakRSS) }
func (w loadRow) peakAnon() float64  { return float64(w.res.PeakAnon) }

type coldRow struct {
	kind, server string
	st           exchangeStats
	cpu          float64 // server CPU seconds per fetch; 0 for the origin
	peak         int64   // peak RSS over the fetches
	peakAnon     int64
	docFetches   int64 // packument requests that reached the origin during a tarball row; -1: not counted
}

type herdRow struct {
	item     string
	server   string
	round    int
	st       exchangeStats
	upstream int64
	wall     time.Duration
	cpu      float64
	peak     int64
	peakAnon int64
	bytes    int64
}

func (w herdRow) at() (rowKey, int) { return rowKey{item: w.item, server: w.server}, w.round }

// The figures of a herd, for figure.
func (w herdRow) ttfb50() float64    { return float64(w.st.TTFB50) }
func (w herdRow) ttfb99() float64    { return float64(w.st.TTFB99) }
func (w herdRow) tot50() float64     { return float64(w.st.Tot50) }
func (w herdRow) tot99() float64     { return float64(w.st.Tot99) }
func (w herdRow) wallTime() float64  { return float64(w.wall) }
func (w herdRow) cpuSec() float64    { return w.cpu }
func (w herdRow) cpuPerGB() float64  { return w.cpu / (float64(w.bytes) / 1e9) }
func (w herdRow) ok() float64        { return float64(w.st.OK) }
func (w herdRow) clients() float64   { return float64(w.st.N) }
func (w herdRow) upstreamN() float64 { return float64(w.upstream) }
func (w herdRow) peakRSS() float64   { return float64(w.peak) }

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
	commit    string // what was measured: the commit, and whether the tree had changes
	servers   []string
	small     []loadRow
	large     []loadRow
	doc       []loadRow // warm 20 MB packument
	cold      []coldRow
	herd      []herdRow
	scale     []scaleRow
	idle      map[string]int64
	notes     []string
	loadStart string
	placement string // where the generator and the servers ran (placement.describe)
}

// newReport starts a report; the commit is read now, when the binaries are
// built from the tree, not when the report is written.
func newReport(cfg Config) *report {
	commit := cfg.Commit
	if commit == "" {
		commit = commitOf(cfg.Root, cfg.Out)
	}
	return &report{cfg: cfg, began: time.Now(), loadStart: loadavg(), commit: commit}
}

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

// commitOf names the commit checked out at root, noting changes to tracked
// files other than the report itself (out, relative to root): the previous
// run's report is not a change to what is measured.
func commitOf(root, out string) string {
	head, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(head))
	args := []string{"-C", root, "status", "--porcelain", "--untracked-files=no", "--", "."}
	if out != "" && !filepath.IsAbs(out) {
		args = append(args, ":(exclude)"+filepath.ToSlash(out))
	}
	if st, err := exec.Command("git", args...).Output(); err == nil && len(st) > 0 {
		c += " with uncommitted changes"
	}
	return c
}

func (r *report) markdown() string {
	var b strings.Builder
	p := func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }
	commit := r.commit
	p("# Hoard benchmark results\n\n")
	p("- date: %s (took %v)\n", r.began.UTC().Format("2006-01-02 15:04 MST"), time.Since(r.began).Round(time.Second))
	p("- machine: %s\n", machine())
	p("- commit: %s\n", commit)
	p("- load average (1, 5, 15 min): %s at the start, %s at the end\n", r.loadStart, loadavg())
	if r.placement != "" {
		p("- CPUs: %s\n", r.placement)
	}
	p("- origin: bench/cmd/origin, %v per request, %.0f MB/s per response body (full speed for the cold rows marked unpaced); each load run %v after a %v warm-up\n",
		r.cfg.Latency, float64(r.cfg.OriginRate)/(1<<20), r.cfg.Duration, r.cfg.Warmup)
	p("- servers: %s, all on 127.0.0.1, driven by the same load generator (bench/loadgen: keep-alive HTTP/1.1, closed loop)\n", strings.Join(r.servers, ", "))
	p("- reproduce: `bash bench/run.sh` (see bench/README.md for flags)\n\n")
	p("CPU is the server's own user+system time (all its processes) during the measured run, from /proc/PID/stat. ")
	p("Ratios are to static nginx in the same round (÷ nginx). Peak RSS is VmHWM summed over the server's processes, reset before each measured run. ")
	p("go-static (bench/cmd/gostatic) is Go's net/http alone serving the small files from memory: the floor under any Go server, Hoard included.\n\n")
	p("%s\n\n", r.runsNote())
	for _, n := range r.notes {
		p("> %s\n\n", n)
	}
	p("%s", r.smallTable())
	p("%s", r.largeTable())
	p("%s", r.docTable())
	p("%s", r.coldTable())
	p("%s", r.herdTable())
	if len(r.large) > 0 || len(r.doc) > 0 || len(r.herd) > 0 {
		p("## Memory\n\nPeak RSS is VmHWM (anonymous and file-backed pages together); the anonymous part, sampled every 50 ms, is what the process allocated itself.\n\n")
		p("| server | RSS after the run | peak RSS, small content | peak RSS, large blob | peak RSS, 20 MB packument | peak RSS, herd |\n|---|---:|---:|---:|---:|---:|\n")
		for _, s := range r.servers {
			var small, large, doc, herd, smallA, largeA, docA, herdA int64
			for _, row := range r.doc {
				if row.server == s {
					doc, docA = max(doc, row.res.PeakRSS), max(docA, row.res.PeakAnon)
				}
			}
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
			p("| %s | %s | %s | %s | %s | %s |\n", s, mb(r.idle[s]), mbAnon(small, smallA), mbAnon(large, largeA), mbAnon(doc, docA), mbAnon(herd, herdA))
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
	r.warmTargets(check)
	r.coldTargets(check)
	b.WriteString(r.bigDocNote())
	r.herdTargets(check)
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
	for _, row := range r.scale {
		peak, anon := max(row.res.PeakRSS, row.startRSS), max(row.res.PeakAnon, row.startAnon)
		check(peak < 150<<20, "scale, %d entries, hits over %d keys: peak RSS %s (anon %s; the rest is badger's memory-mapped tables) (target < 150 MB)",
			row.entries, row.keys, mb(peak), mb(anon))
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
