package harness

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"hoard/bench/loadgen"
)

// The benchmark itself runs from bench/run.sh, never under go test; these check
// the harness's own logic quickly.

func TestPathMappings(t *testing.T) {
	d := &ociData{layers: map[string]string{"img": "sha256:abc"}}
	for _, c := range []struct {
		p, prefix, want string
		ok              bool
	}{
		{pathOCITag, "oci/", "/v2/oci/bench/img/manifests/v1", true},
		{pathOCITag, "", "/v2/bench/img/manifests/v1", true},
		{pathOCIBlob, "", "/v2/bench/img/blobs/sha256:abc", true},
		{pathOCIHerd, "", "", false}, // not pushed
		{pathMeta1K, "", "", false},
	} {
		got, ok := d.v2Path(c.p, c.prefix)
		if got != c.want || ok != c.ok {
			t.Errorf("v2Path(%q, %q) = %q, %v", c.p, c.prefix, got, ok)
		}
	}
	if p, ok := npmOnly(pathDoc200K); p != "/bigpkg" || !ok {
		t.Errorf("npmOnly(%q) = %q, %v", pathDoc200K, p, ok)
	}
	if _, ok := npmOnly(pathBlob); ok {
		t.Error("npmOnly maps a Maven path")
	}
	for p, want := range map[string]string{docTarballs(1)[0]: "/unpaced-big20m/-/unpaced-big20m-1.0.0.tgz", "/npm/a/b": "", "/npm/a/-/": "", "/npm/a/-/x/y": ""} {
		if got, ok := npmOnly(p); got != want || ok != (want != "") {
			t.Errorf("npmOnly(%q) = %q, %v; want %q", p, got, ok, want)
		}
	}
	if itemHeader(pathOCITag) == "" || itemHeader(pathDoc200K) == "" || itemHeader(pathMeta1K) != "" || itemHeader(docTarballs(1)[0]) != "" {
		t.Error("itemHeader")
	}
}

func TestNginxConf(t *testing.T) {
	static := nginxConf("/p", "127.0.0.1:1", "/root", "", "auto")
	cache := nginxConf("/p", "127.0.0.1:1", "", "127.0.0.1:2", "1")
	for _, want := range []string{"root /root;", "sendfile on;", "listen 127.0.0.1:1;"} {
		if !strings.Contains(static, want) {
			t.Errorf("static config lacks %q", want)
		}
	}
	if !strings.Contains(static, "worker_processes auto;") || !strings.Contains(cache, "worker_processes 1;") {
		t.Error("worker_processes is not the count asked for")
	}
	for _, want := range []string{"proxy_cache_lock on;", "server 127.0.0.1:2;", "proxy_cache_valid 200"} {
		if !strings.Contains(cache, want) {
			t.Errorf("cache config lacks %q", want)
		}
	}
}

func TestWriteData(t *testing.T) {
	root := t.TempDir()
	if err := writeData(root, dataSpec{BlobBytes: 1000, ColdMeta: 1, ColdBlobs: 1, HerdBlobs: 2, OriginURL: "http://o"}); err != nil {
		t.Fatal(err)
	}
	for p, size := range map[string]int64{pathMeta1K: 1024, pathDoc200K: 200 << 10, pathBlob: 1000, coldBlobPath(0): 1000, pathHerd: 1000, herdPath(pathHerd, 1): 1000} {
		fi, err := os.Stat(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		if d := fi.Size() - size; d < -size/20 || d > size/20+700 {
			t.Errorf("%s: %d bytes, want about %d", p, fi.Size(), size)
		}
		if _, err := os.Stat(filepath.Join(root, p+".sha1")); err != nil {
			t.Errorf("%s has no .sha1", p)
		}
	}
	checkBigDocs(t, root, "http://o", 1)
	b, _ := os.ReadFile(filepath.Join(root, pathDoc200K))
	var doc struct {
		Versions map[string]struct{ Dist struct{ Tarball string } }
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Versions) < 100 {
		t.Fatalf("packument: %v, %d versions", err, len(doc.Versions))
	}
	a, _ := os.ReadFile(filepath.Join(root, pathBlob))
	c, _ := os.ReadFile(filepath.Join(root, coldBlobPath(0)))
	h1, _ := os.ReadFile(filepath.Join(root, herdPath(pathHerd, 1)))
	if bytes.Equal(a, c) || bytes.Equal(a, h1) {
		t.Error("blobs share their bytes: a cache could dedupe them")
	}
}

func TestSeedAndProc(t *testing.T) {
	dir := t.TempDir()
	if err := Seed(dir, "maven", 300, nil); err != nil {
		t.Fatal(err)
	}
	if CPUSeconds(os.Getpid()) <= 0 || RSS(os.Getpid()) <= 0 || PeakRSS(os.Getpid()) < RSS(os.Getpid())/2 {
		t.Fatal("cannot read this process's figures from /proc")
	}
}

func TestReport(t *testing.T) {
	stats := func(rps int, lat time.Duration) loadgen.Stats {
		s := loadgen.Stats{Requests: int64(rps), Elapsed: time.Second, Bytes: int64(rps) * 1000}
		s.Latency.Add(lat)
		return s
	}
	r := newReport(Config{BlobConc: 4, Herd: 10, BlobBytes: 50 << 20, Commit: "test"})
	r.servers = []string{"nginx-static", "hoard"}
	r.small = []loadRow{
		{item: "1 KB", conc: 16, server: "nginx-static", res: loadResult{Stats: stats(1000, time.Millisecond), CPU: 0.01}},
		{item: "1 KB", conc: 16, server: "hoard", res: loadResult{Stats: stats(900, time.Millisecond), CPU: 0.02}},
	}
	r.cold = []coldRow{
		{kind: "npm packument 1 KB", server: "origin", st: exchangeStats{N: 1, OK: 1, Tot50: 20 * time.Millisecond}},
		{kind: "npm packument 1 KB", server: "hoard", st: exchangeStats{N: 1, OK: 1, Tot50: 21 * time.Millisecond}},
	}
	r.herd = []herdRow{{item: "blob", server: "hoard", upstream: 1, st: exchangeStats{N: 10, OK: 10}, bytes: 1}}
	md := r.markdown()
	for _, want := range []string{"| 1 KB | 16 | hoard | 900 |", "2.22", "+1.00 ms", "✗ warm 1 KB, c=16: CPU per request 2.22×",
		"✓ cold npm packument 1 KB", "✓ herd blob: 1 upstream"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestRuns(t *testing.T) {
	for _, c := range []struct {
		r    runs
		want float64
	}{
		{runs{}, 0},
		{runs{0: 7}, 7},
		{runs{0: 3, 1: 1, 2: 2}, 2},
		{runs{0: 4, 1: 1, 2: 3, 3: 2}, 2.5}, // even count: the mean of the middle two
		{runs{0: 10, 1: 10, 2: 1000}, 10},   // one wild run moves nothing
	} {
		if got := c.r.median(); got != c.want {
			t.Errorf("median of %v = %v, want %v", c.r, got, c.want)
		}
	}
	if lo, hi := (runs{0: 3, 1: 1, 2: 2}).spread(); lo != 1 || hi != 3 {
		t.Errorf("spread = %v, %v", lo, hi)
	}
	if got := (runs{0: 1.234, 1: 1.5}).span(2); got != "1.23–1.50" {
		t.Errorf("span = %q", got)
	}
	if got := (runs{0: 1.2}).span(2); got != "–" {
		t.Errorf("span of one run = %q", got)
	}
	// Ratios pair rounds: a round missing from either side, or with nothing
	// measured, gives none.
	got := runs{0: 2, 1: 6, 2: 5, 3: 4}.over(runs{0: 1, 1: 2, 3: 0})
	if len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Errorf("over = %v, want map[0:2 1:3]", got)
	}
}

func TestRatioPerRound(t *testing.T) {
	// Static nginx's CPU per request drifts 10, 20, 40 µs over the rounds and
	// Hoard's 12, 30, 40: the ratios within a round are 1.2, 1.5 and 1.0, whose
	// median is 1.2; the ratio of the medians (30 ÷ 20) would say 1.5.
	row := func(server string, round int, cpuMicros float64) loadRow {
		st := loadgen.Stats{Requests: 1000, Elapsed: time.Second, Bytes: 1000}
		st.Latency.Add(time.Millisecond)
		return loadRow{item: "1 KB", conc: 16, server: server, round: round, res: loadResult{Stats: st, CPU: cpuMicros * 1000 / 1e6}}
	}
	var rows []loadRow
	for round, cpus := range [][2]float64{{10, 12}, {20, 30}, {40, 40}} {
		rows = append(rows, row("nginx-static", round, cpus[0]), row("hoard", round, cpus[1]))
	}
	k := rowKey{"1 KB", 16, "hoard"}
	if got := keys(rows); len(got) != 2 || got[0].server != "nginx-static" || got[1] != k {
		t.Fatalf("keys = %v", got)
	}
	ratios := perRound(rows, k, smallRef(k), loadRow.cpuPerReq)
	if m := ratios.median(); m < 1.199 || m > 1.201 {
		t.Errorf("median of per-round ratios = %v, want 1.2", m)
	}
	r := newReport(Config{Runs: 3, Commit: "test"})
	r.small = rows
	md := r.markdown()
	for _, want := range []string{"median of 3 runs", "| 1 KB | 16 | hoard | 1000 | 1.00 ms | 1.00 ms | 30.0 | 1.00 | 1.20 | 1.00–1.50 |",
		"✓ warm 1 KB, c=16: CPU per request 1.20×"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestHerdRuns(t *testing.T) {
	if herdPath(pathHerd, 0) != pathHerd || herdPath(pathOCIHerd, 0) != pathOCIHerd {
		t.Error("round 0 is not the base herd blob")
	}
	seen := map[string]bool{}
	for round := range 3 {
		for _, p := range []string{herdPath(pathHerd, round), herdPath(pathOCIHerd, round)} {
			if seen[p] {
				t.Errorf("%s in two rounds", p)
			}
			seen[p] = true
		}
	}
	if got := ociRepo(herdPath(pathOCIHerd, 2)); got != "herd2" {
		t.Errorf("ociRepo = %q", got)
	}
	// One run with two upstream requests fails the target, whatever the median.
	r := newReport(Config{Runs: 3, Herd: 10, Commit: "test"})
	for round, up := range []int64{1, 2, 1} {
		r.herd = append(r.herd, herdRow{item: "blob", server: "hoard", round: round, upstream: up, st: exchangeStats{N: 10, OK: 10}, bytes: 1})
	}
	md := r.markdown()
	for _, want := range []string{"| blob | hoard | 30/30 | 1–2 |", "✗ herd blob: 1–2 upstream request(s)", "✓ herd blob: 30 of 30 clients"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestPlacement(t *testing.T) {
	p := placement{harness: []int{0}, servers: []int{1, 2}}
	bin, args := p.command("/bin/hoard", []string{"serve"})
	if bin != "taskset" || strings.Join(args, " ") != "--cpu-list 1,2 /bin/hoard serve" {
		t.Errorf("pinned command = %s %v", bin, args)
	}
	if p.workers() != "2" {
		t.Errorf("workers = %s, want one per server CPU", p.workers())
	}
	var none placement
	if bin, args := none.command("/bin/hoard", []string{"serve"}); bin != "/bin/hoard" || len(args) != 1 || none.workers() != "auto" {
		t.Errorf("unpinned command = %s %v, workers %s", bin, args, none.workers())
	}
	plan, err := planPlacement(true)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.NumCPU() >= 2 && (len(plan.harness) == 0 || len(plan.harness)+len(plan.servers) != runtime.NumCPU()) {
		t.Errorf("plan %+v does not split the %d CPUs", plan, runtime.NumCPU())
	}
	if off, _ := planPlacement(false); off.pinned() {
		t.Error("-pin=false pinned")
	}
}

// The previous run's report is not a change to what a run measures; any other
// change to a tracked file is.
func TestCommitOfIgnoresTheReport(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	os.MkdirAll(filepath.Join(dir, "bench"), 0o755)
	os.WriteFile(filepath.Join(dir, "bench", "RESULTS.md"), []byte("old"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main"), 0o644)
	git("add", ".")
	git("commit", "-q", "-m", "x")
	os.WriteFile(filepath.Join(dir, "bench", "RESULTS.md"), []byte("new"), 0o644)
	if c := commitOf(dir, "bench/RESULTS.md"); c == "unknown" || strings.Contains(c, "uncommitted") {
		t.Errorf("with only the report changed: %q", c)
	}
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main // changed"), 0o644)
	if c := commitOf(dir, "bench/RESULTS.md"); !strings.Contains(c, "uncommitted") {
		t.Errorf("with a source file changed: %q", c)
	}
}
