package main_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSoak: many keep-alive clients against the real binary for a while, with a
// mix of 80 % hits, 15 % metadata (revalidated every second), 5 % cold misses of
// varied sizes, a publish now and then and clients that abort mid-body, while
// the upstream resets, answers 503 or drips slowly 1 % of the time. Asserted:
// no body served as complete is wrong, no fill is left running once the load
// stops, goroutines and open files come back to where they were, hoard verify
// and the index are clean. Timings are reported, never asserted.
// HOARD_SOAK (default 1m) and HOARD_SOAK_CLIENTS (default 200) size it; the long
// run is bench/soak.sh (10 minutes, 1,000 clients), which writes the report
// (HOARD_SOAK_REPORT) and the plot (HOARD_SOAK_PLOT).
func TestSoak(t *testing.T) {
	needE2E(t)
	dur, clients := soakSize(t)
	o := &soakOrigin{faultPer10k: 100, rng: rand.New(rand.NewPCG(5, 6)), published: map[string][]byte{}}
	up := startUpstream(t, http.StripPrefix(originBase, o))
	data := t.TempDir()
	pprofAddr := freeAddr(t)
	h := startHoard(t, data, "--config", writeKillConfig(t, up.URL()+originBase), "--pprof", pprofAddr)
	base := h.URL + "/maven/"
	pid := h.cmd.Process.Pid

	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxIdleConns: clients}
	client := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
	hot := soakWarm(t, client, base, o)
	before := sampleNow(pid, pprofAddr)
	t.Logf("warm: %d hot artifacts; %s", len(hot), before)

	st := &soakStats{start: time.Now(), window: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			soakClient(ctx, uint64(i), client, base, hot, o, st)
		}()
	}
	samples := []procStats{before}
	tick := time.NewTicker(10 * time.Second)
	for done := false; !done; {
		select {
		case <-tick.C:
			s := sampleNow(pid, pprofAddr)
			samples = append(samples, s)
			t.Logf("%s: %s", time.Since(st.start).Round(time.Second), s)
		case <-ctx.Done():
			done = true
		}
	}
	tick.Stop()
	wg.Wait()
	tr.CloseIdleConnections()

	// Fills the load started (slow drips included) end on their own; none may stay.
	waitEmpty(t, filepath.Join(data, "tmp"), time.Minute)
	after := settle(pid, pprofAddr, before)
	t.Logf("after the load: %s", after)
	t.Log(st.report())
	t.Logf("upstream faults injected: %d resets, %d 503s, %d drips", o.faults[0].Load(), o.faults[1].Load(), o.faults[2].Load())
	writeSoakReport(t, st, samples, after, clients, dur, o)
	writeSoakPlot(t, soakSeriesOf(st, samples), st.window)

	st.check(t)
	if after.goroutines > before.goroutines+300 || after.files > before.files+150 {
		t.Errorf("goroutines %d -> %d, open files %d -> %d: something the load started did not end",
			before.goroutines, after.goroutines, before.files, after.files)
	}
	if !h.running() {
		t.Fatalf("hoard died under load:\n%s", tail(h.LogPath, 60))
	}
	h.Stop()
	out, err := hoardCmd(t, "verify", "--data-dir", data)
	if err != nil || corruptCount.MatchString(out) {
		t.Fatalf("hoard verify: %v\n%s", err, out)
	}
	checkIndexMatchesBlobs(t, data)
}

func soakSize(t *testing.T) (time.Duration, int) {
	dur, clients := time.Minute, 200
	if v := os.Getenv("HOARD_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("HOARD_SOAK=%q: want a duration", v)
		}
		dur = d
	}
	if v := os.Getenv("HOARD_SOAK_CLIENTS"); v != "" {
		if _, err := fmt.Sscan(v, &clients); err != nil || clients < 1 {
			t.Fatalf("HOARD_SOAK_CLIENTS=%q: want a positive count", v)
		}
	}
	return dur, clients
}

// soakWarm fills the hot set, retrying what an injected fault broke.
func soakWarm(t *testing.T, client *http.Client, base string, o *soakOrigin) []string {
	t.Helper()
	var hot []string
	for i := range 300 {
		rel := fmt.Sprintf("soak/gen/h%d/1.0/h%d-1.0.jar", i, i)
		want, _ := o.known(rel)
		for try := 0; ; try++ {
			resp, err := client.Get(base + rel)
			if err == nil {
				b, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				if rerr == nil && resp.StatusCode == 200 && bytes.Equal(b, want) {
					break
				}
			}
			if try == 10 {
				t.Fatalf("warming %s: %v", rel, err)
			}
		}
		hot = append(hot, rel)
	}
	return hot
}

// soakClient runs one keep-alive client's mix until ctx ends.
func soakClient(ctx context.Context, seed uint64, client *http.Client, base string, hot []string, o *soakOrigin, st *soakStats) {
	rng := rand.New(rand.NewPCG(seed, 11))
	for n := 0; ctx.Err() == nil; n++ {
		var rel string
		switch roll := rng.IntN(1000); {
		case roll < 800:
			rel = hot[rng.IntN(len(hot))]
		case roll < 950:
			rel = fmt.Sprintf("soak/gen/m%d/maven-metadata.xml", rng.IntN(50))
		case roll < 998:
			rel = fmt.Sprintf("soak/gen/c%d-%d/1.0/c%d-%d-1.0.jar", seed, n, seed, n)
		default:
			soakPublish(ctx, client, base, fmt.Sprintf("soak/pub/p%d-%d/1.0/p%d-%d-1.0.jar", seed, n, seed, n), rng, st)
			continue
		}
		abort := rng.IntN(100) == 0
		soakGet(ctx, client, base, rel, abort, o, st)
	}
}

func soakGet(ctx context.Context, client *http.Client, base, rel string, abort bool, o *soakOrigin, st *soakStats) {
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+rel, nil)
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			st.count("transport error")
		}
		return
	}
	defer resp.Body.Close()
	if abort {
		io.CopyN(io.Discard, resp.Body, max(resp.ContentLength/2, 1))
		st.count("aborted by the client")
		return
	}
	body, err := io.ReadAll(resp.Body)
	switch want, _ := o.known(rel); {
	case err != nil && ctx.Err() == nil:
		st.count("cut mid-body")
	case err != nil:
	case resp.StatusCode != http.StatusOK:
		st.count(fmt.Sprintf("status %d", resp.StatusCode))
	case !bytes.Equal(body, want):
		st.wrong(fmt.Sprintf("%s: %d bytes (Content-Length %d), want %d", rel, len(body), resp.ContentLength, len(want)))
	default:
		st.ok(time.Since(start))
	}
}

// soakPublish PUTs a new artifact through hoard and reads it back.
func soakPublish(ctx context.Context, client *http.Client, base, rel string, rng *rand.Rand, st *soakStats) {
	body := make([]byte, 8<<10+rng.IntN(8<<10))
	for i := range body {
		body[i] = byte(rng.Uint32())
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, base+rel, bytes.NewReader(body))
	resp, err := client.Do(req)
	if err != nil {
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		st.count(fmt.Sprintf("publish status %d", resp.StatusCode))
		return
	}
	st.count("published")
}

// waitEmpty waits for dir to hold no file, failing the test after within.
func waitEmpty(t *testing.T, dir string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		left := readDir(t, dir)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("fills still running %v after the load stopped: %v", within, left)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// procStats is one sample of the daemon's resources.
type procStats struct {
	rssKiB     int64
	files      int
	goroutines int
}

func (p procStats) String() string {
	return fmt.Sprintf("RSS %d MiB, %d open files, %d goroutines", p.rssKiB>>10, p.files, p.goroutines)
}

func sampleNow(pid int, pprofAddr string) procStats {
	var p procStats
	p.rssKiB, p.files = procSample(pid)
	resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/goroutine?debug=1")
	if err == nil {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		resp.Body.Close()
		fmt.Sscanf(string(b), "goroutine profile: total %d", &p.goroutines)
	}
	return p
}

// settle samples until goroutines and open files are back near before, for up to
// 30 s: idle connections and timers the load left take a moment to close.
func settle(pid int, pprofAddr string, before procStats) procStats {
	var s procStats
	for range 60 {
		s = sampleNow(pid, pprofAddr)
		if s.goroutines <= before.goroutines+20 && s.files <= before.files+10 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	return s
}

// soakStats gathers outcomes by kind and latencies of complete bodies by window.
type soakStats struct {
	start   time.Time
	window  time.Duration
	mu      sync.Mutex
	kinds   map[string]int
	bad     []string
	lat     [][]time.Duration // per window
	okCount atomic.Int64
}

func (s *soakStats) count(kind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kinds == nil {
		s.kinds = map[string]int{}
	}
	s.kinds[kind]++
}

func (s *soakStats) wrong(what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bad = append(s.bad, what)
}

func (s *soakStats) ok(d time.Duration) {
	s.okCount.Add(1)
	w := int(time.Since(s.start) / s.window)
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.lat) <= w {
		s.lat = append(s.lat, nil)
	}
	s.lat[w] = append(s.lat[w], d)
}

func (s *soakStats) report() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "%d complete bodies, %d wrong; other outcomes: %v\n", s.okCount.Load(), len(s.bad), s.kinds)
	for i, l := range s.lat {
		p50, p99 := percentiles(l)
		fmt.Fprintf(&b, "  %3ds: %6d complete, p50 %v, p99 %v\n", i*int(s.window/time.Second), len(l), p50, p99)
	}
	return b.String()
}

func percentiles(l []time.Duration) (p50, p99 time.Duration) {
	if len(l) == 0 {
		return 0, 0
	}
	l = slices.Clone(l)
	slices.Sort(l)
	return l[len(l)/2].Round(10 * time.Microsecond), l[len(l)*99/100].Round(10 * time.Microsecond)
}

func (s *soakStats) check(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.bad {
		t.Errorf("served as complete but wrong: %s", b)
	}
	if s.okCount.Load() == 0 {
		t.Errorf("no complete body at all")
	}
	for kind, n := range s.kinds {
		if strings.HasPrefix(kind, "status 4") || strings.HasPrefix(kind, "publish status 4") {
			t.Errorf("%d answers of %s", n, kind)
		}
	}
}

// writeSoakReport writes a Markdown table of the run where HOARD_SOAK_REPORT names.
func writeSoakReport(t *testing.T, st *soakStats, samples []procStats, after procStats, clients int, dur time.Duration, o *soakOrigin) {
	path := os.Getenv("HOARD_SOAK_REPORT")
	if path == "" {
		return
	}
	st.mu.Lock()
	var b strings.Builder
	fmt.Fprintf(&b, "Soak: %d clients, %v, upstream faults %d resets / %d 503s / %d drips.\n\n",
		clients, dur, o.faults[0].Load(), o.faults[1].Load(), o.faults[2].Load())
	fmt.Fprintf(&b, "Complete bodies %d, wrong %d; other outcomes %v.\n\n", st.okCount.Load(), len(st.bad), st.kinds)
	b.WriteString("| t | complete | p50 | p99 | RSS MiB | open files | goroutines |\n|---|---|---|---|---|---|---|\n")
	for i, s := range samples {
		var n int
		var p50, p99 time.Duration
		if i > 0 && i-1 < len(st.lat) {
			n = len(st.lat[i-1])
			p50, p99 = percentiles(st.lat[i-1])
		}
		fmt.Fprintf(&b, "| %ds | %d | %v | %v | %d | %d | %d |\n", i*10, n, p50, p99, s.rssKiB>>10, s.files, s.goroutines)
	}
	fmt.Fprintf(&b, "| after | | | | %d | %d | %d |\n", after.rssKiB>>10, after.files, after.goroutines)
	st.mu.Unlock()
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Errorf("soak report: %v", err)
	}
}
