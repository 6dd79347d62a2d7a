package harness

import (
	"fmt"
	"strings"
	"time"
)

// The tables of the repeated scenarios (warm small, warm large, herd): one row
// per server and content, each figure the median over the rounds.

// runsNote says in the report what each figure is the median of.
func (r *report) runsNote() string {
	n := r.cfg.runCount()
	if n == 1 {
		return "Every scenario ran once (-runs 1), so each figure comes from a single run."
	}
	return fmt.Sprintf("The warm and herd scenarios ran %d times, the servers taking turns in each round (round 1: every server once, then round 2, ...), "+
		"so drift on the machine hits all of them alike. Each figure in those tables is the median of the %d runs; "+
		"a ratio to nginx is the median of the ratios within each round, and its min–max column shows how steady it was; "+
		"peak RSS is the largest of the runs. Cold misses and scale ran once (a cold figure is the median over its fetches).", n, n)
}

// medianOf names, for a table's heading, what its figures are the median of.
func (r *report) medianOf() string {
	if n := r.cfg.runCount(); n > 1 {
		return fmt.Sprintf("median of %d runs", n)
	}
	return "one run"
}

func msOf(x runs) string { return ms(time.Duration(x.median())) }

// ratioOf shows the median of per-round ratios; "–" when there are none.
func ratioOf(x runs) string {
	if len(x) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", x.median())
}

// perRound is f of row k divided by f of row ref, round by round.
func perRound[R measured](rows []R, k, ref rowKey, f func(R) float64) runs {
	return figure(rows, k, f).over(figure(rows, ref, f))
}

// smallRef is the static nginx row a warm small-content row is compared with.
func smallRef(k rowKey) rowKey { return rowKey{k.item, k.conc, reference} }

// largeRef is static nginx serving the Maven blob, the floor for both large
// contents (it serves no OCI layer).
func largeRef(k rowKey) rowKey { return rowKey{"blob", k.conc, reference} }

func (r *report) smallTable() string {
	if len(r.small) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Warm small content (%s)\n\n", r.medianOf())
	b.WriteString("| content | conc | server | req/s | p50 | p99 | CPU µs/req | req/s ÷ nginx | CPU/req ÷ nginx | CPU/req ÷ nginx, min–max |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, k := range keys(r.small) {
		fig := func(f func(loadRow) float64) runs { return figure(r.small, k, f) }
		cpu := perRound(r.small, k, smallRef(k), loadRow.cpuPerReq)
		fmt.Fprintf(&b, "| %s | %d | %s | %.0f | %s | %s | %.1f | %s | %s | %s |\n", k.item, k.conc, k.server,
			fig(loadRow.rps).median(), msOf(fig(loadRow.p50)), msOf(fig(loadRow.p99)), fig(loadRow.cpuPerReq).median(),
			ratioOf(perRound(r.small, k, smallRef(k), loadRow.rps)), ratioOf(cpu), cpu.span(2))
	}
	b.WriteString("\n")
	return b.String()
}

func (r *report) largeTable() string {
	if len(r.large) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Warm large blob (%s, concurrency %d, %s)\n\n", mb(r.cfg.BlobBytes), r.cfg.BlobConc, r.medianOf())
	b.WriteString("| content | server | MB/s | CPU s/GB | peak RSS | MB/s ÷ nginx | CPU/GB ÷ nginx | CPU/GB ÷ nginx, min–max |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, k := range keys(r.large) {
		fig := func(f func(loadRow) float64) runs { return figure(r.large, k, f) }
		cpu := perRound(r.large, k, largeRef(k), loadRow.cpuPerGB)
		fmt.Fprintf(&b, "| %s | %s | %.0f | %.3f | %s | %s | %s | %s |\n", k.item, k.server,
			fig(loadRow.mbps).median(), fig(loadRow.cpuPerGB).median(), mbAnon(int64(fig(loadRow.peak).largest()), int64(fig(loadRow.peakAnon).largest())),
			ratioOf(perRound(r.large, k, largeRef(k), loadRow.mbps)), ratioOf(cpu), cpu.span(2))
	}
	b.WriteString("\n")
	return b.String()
}

func (r *report) herdTable() string {
	if len(r.herd) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Thundering herd (%d clients at once for one cold %s blob, %s)\n\n", r.cfg.Herd, mb(r.cfg.BlobBytes), r.medianOf())
	b.WriteString("nginx-static has no miss: its row is the same herd served from disk, the floor. Each run is for a blob no server has fetched yet. ")
	b.WriteString("The ok column counts clients over all runs; upstream requests are per run (min–max when they differ). ")
	b.WriteString("The last column compares the median client's first byte with one cold fetch of a blob of the same size through the same server (cold miss table).\n\n")
	b.WriteString("| content | server | ok | upstream requests | first byte p50 | first byte p99 | total p50 | total p99 | wall | CPU s | CPU s/GB | peak RSS | first byte p50 ÷ single cold |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, k := range keys(r.herd) {
		fig := func(f func(herdRow) float64) runs { return figure(r.herd, k, f) }
		up := upstreamText(fig(herdRow.upstreamN))
		if k.server == reference {
			up = "– (static)"
		}
		single := r.coldFor(k.item, k.server)
		fmt.Fprintf(&b, "| %s | %s | %.0f/%.0f | %s | %s | %s | %s | %s | %s | %.2f | %.3f | %s | %s |\n", k.item, k.server,
			fig(herdRow.ok).sum(), fig(herdRow.clients).sum(), up,
			msOf(fig(herdRow.ttfb50)), msOf(fig(herdRow.ttfb99)), msOf(fig(herdRow.tot50)), msOf(fig(herdRow.tot99)), msOf(fig(herdRow.wallTime)),
			fig(herdRow.cpuSec).median(), fig(herdRow.cpuPerGB).median(), mb(int64(fig(herdRow.peakRSS).largest())),
			ratio(fig(herdRow.ttfb50).median(), float64(single)))
	}
	b.WriteString("\n")
	return b.String()
}

// upstreamText is the upstream requests of each run: one number when every run
// made as many, else their min–max.
func upstreamText(up runs) string {
	lo, hi := up.spread()
	if lo == hi {
		return fmt.Sprintf("%.0f", lo)
	}
	return fmt.Sprintf("%.0f–%.0f", lo, hi)
}

// checkFunc writes one target line, ✓ when ok.
type checkFunc func(ok bool, format string, a ...any)

// warmTargets checks Hoard's warm figures, medians over the runs, against its
// targets.
func (r *report) warmTargets(check checkFunc) {
	for _, k := range keys(r.small) {
		if k.server != "hoard" {
			continue
		}
		if c := perRound(r.small, k, smallRef(k), loadRow.cpuPerReq); len(c) > 0 {
			check(c.median() <= 1.25, "warm %s, c=%d: CPU per request %.2f× nginx static (target ≤ 1.25×)", k.item, k.conc, c.median())
		}
		rps := figure(r.small, k, loadRow.rps).median()
		if pc := figure(r.small, rowKey{k.item, k.conc, "nginx-cache"}, loadRow.rps); len(pc) > 0 {
			check(rps >= pc.median(), "warm %s, c=%d: %.0f req/s vs nginx proxy_cache %.0f (target ≥)", k.item, k.conc, rps, pc.median())
		}
		if k.conc == 64 {
			p99 := time.Duration(figure(r.small, k, loadRow.p99).median())
			check(p99 < 5*time.Millisecond, "warm %s, c=64: p99 %s (target < 5 ms on a quiet machine)", k.item, ms(p99))
		}
	}
	for _, k := range keys(r.large) {
		if k.server != "hoard" {
			continue
		}
		if c := perRound(r.large, k, largeRef(k), loadRow.cpuPerGB); len(c) > 0 {
			check(c.median() <= 1.25, "warm %s: CPU per GB %.2f× nginx static (target ≤ 1.25×)", k.item, c.median())
		}
		if t := perRound(r.large, k, largeRef(k), loadRow.mbps); len(t) > 0 {
			check(t.median() >= 0.9, "warm %s: throughput %.2f× nginx static (target ≥ 0.9×)", k.item, t.median())
		}
	}
}

// herdTargets checks Hoard's herds: one upstream request in every run, and the
// median first byte against one cold fetch's.
func (r *report) herdTargets(check checkFunc) {
	floor := ""
	if o := figure(r.herd, rowKey{item: "blob", server: reference}, herdRow.ttfb50); len(o) > 0 {
		floor = fmt.Sprintf("; static nginx's median first byte for the same herd from disk: %s", msOf(o))
	}
	for _, k := range keys(r.herd) {
		if k.server != "hoard" {
			continue
		}
		fig := func(f func(herdRow) float64) runs { return figure(r.herd, k, f) }
		up := fig(herdRow.upstreamN)
		lo, hi := up.spread()
		check(lo == 1 && hi == 1, "herd %s: %s upstream request(s) for it in each run (target exactly 1)", k.item, upstreamText(up))
		// Content with no cold row of its own (the 5 MB .nupkg) has no single
		// cold fetch to hold its herd to.
		if single := r.coldFor(k.item, "hoard"); single > 0 {
			ttfb := time.Duration(fig(herdRow.ttfb50).median())
			check(ttfb <= 2*single, "herd %s: median first byte %s vs one cold fetch's %s (target ≤ 2×)%s", k.item, ms(ttfb), ms(single), floor)
		}
		ok, n := fig(herdRow.ok).sum(), fig(herdRow.clients).sum()
		check(ok == n, "herd %s: %.0f of %.0f clients got the whole blob", k.item, ok, n)
	}
}
