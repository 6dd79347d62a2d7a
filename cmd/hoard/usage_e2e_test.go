package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingOrigin counts the body bytes it sends.
type countingOrigin struct {
	h     http.Handler
	bytes atomic.Int64
}

func (o *countingOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.h.ServeHTTP(&countedWriter{ResponseWriter: w, n: &o.bytes}, r)
}

type countedWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w *countedWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n.Add(int64(n))
	return n, err
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// Hits per entry and per package, bytes from upstream and the history match the
// traffic this test sends; a purge starts an entry's hits again from zero, and
// a restart keeps them.
func TestUsageMatchesTraffic(t *testing.T) {
	needE2E(t)
	a, b := "PK"+strings.Repeat("a", 3000), "PK"+strings.Repeat("b", 9000)
	jars := &jarOrigin{hits: map[string]int{}, files: map[string]string{"/g/a/1/a-1.jar": a, "/g/b/1/b-1.jar": b}}
	origin := &countingOrigin{h: jars}
	up := startUpstream(t, origin)
	h := startHoard(t, t.TempDir(), "--mount", "maven=maven,"+up.URL())
	for range 4 {
		cacheResult(t, h.URL+"/maven/g/a/1/a-1.jar", a)
	}
	for range 2 {
		cacheResult(t, h.URL+"/maven/g/b/1/b-1.jar", b)
	}

	hits := func(admin string) map[string]int64 {
		var page struct {
			Entries []struct {
				Key  string
				Hits int64
			}
		}
		getJSON(t, admin+"/api/entries?mount=maven", &page)
		out := map[string]int64{}
		for _, e := range page.Entries {
			out[e.Key] = e.Hits
		}
		return out
	}
	// A miss is answered before its commit indexes it, so the listing may lag the
	// answers by a moment; the hit counts may not.
	eventually(t, 10*time.Second, "both jars listed", func() bool {
		got := hits(h.AdminURL)
		_, okA := got["g/a/1/a-1.jar"]
		_, okB := got["g/b/1/b-1.jar"]
		return okA && okB
	})
	if got := hits(h.AdminURL); got["g/a/1/a-1.jar"] != 3 || got["g/b/1/b-1.jar"] != 1 {
		t.Errorf("hits per entry %v, want a 3 and b 1 (the first request of each is a miss)", got)
	}
	out, err := hoardCmd(t, "ls", "--admin", h.AdminURL, "--mount", "maven", "g/a/*")
	if err != nil || !strings.Contains(out, "HITS") || !regexpLine(out, `a-1\.jar\s+\S+ \S+\s+3\s`) {
		t.Errorf("hoard ls does not show 3 hits for a:\n%s", out)
	}

	var st struct {
		Mounts []struct {
			Upstream struct{ Bytes int64 }
		}
	}
	getJSON(t, h.AdminURL+"/api/stats", &st)
	if got, sent := st.Mounts[0].Upstream.Bytes, origin.bytes.Load(); got != sent || got < int64(len(a)+len(b)) {
		t.Errorf("bytes from upstream %d, the origin sent %d (the jars alone are %d)", got, sent, len(a)+len(b))
	}

	var top struct {
		ByHits []struct {
			Package        string
			Hits, Requests int64
		} `json:"by_hits"`
		ByBytes []struct {
			Package string
			Bytes   int64
		} `json:"by_bytes"`
	}
	getJSON(t, h.AdminURL+"/api/top?n=1", &top)
	if len(top.ByHits) != 1 || top.ByHits[0].Package != "g/a/1" || top.ByHits[0].Hits != 3 || top.ByHits[0].Requests != 4 {
		t.Errorf("top by hits: %+v", top.ByHits)
	}
	if len(top.ByBytes) != 1 || top.ByBytes[0].Package != "g/b/1" || top.ByBytes[0].Bytes != int64(2*len(b)) {
		t.Errorf("top by bytes: %+v, want g/b/1 with %d", top.ByBytes, 2*len(b))
	}

	var hist struct {
		Hour struct {
			Samples []struct {
				Hits, Misses int64
				BytesServed  int64 `json:"bytes_served"`
			}
		}
	}
	getJSON(t, h.AdminURL+"/api/history", &hist)
	var sum struct{ hits, misses, served int64 }
	for _, s := range hist.Hour.Samples {
		sum.hits, sum.misses, sum.served = sum.hits+s.Hits, sum.misses+s.Misses, sum.served+s.BytesServed
	}
	if sum.hits != 4 || sum.misses != 2 || sum.served != int64(4*len(a)+2*len(b)) {
		t.Errorf("the last hour adds up to %+v, want 4 hits, 2 misses, %d bytes", sum, 4*len(a)+2*len(b))
	}

	if out, err := hoardCmd(t, "purge", "--admin", h.AdminURL, "--mount", "maven", "g/a/*"); err != nil {
		t.Fatalf("purge: %v\n%s", err, out)
	}
	cacheResult(t, h.URL+"/maven/g/a/1/a-1.jar", a)
	eventually(t, 10*time.Second, "the refetched jar listed", func() bool { _, ok := hits(h.AdminURL)["g/a/1/a-1.jar"]; return ok })
	if got := hits(h.AdminURL); got["g/a/1/a-1.jar"] != 0 || got["g/b/1/b-1.jar"] != 1 {
		t.Errorf("after purging a and fetching it again: %v, want a 0 and b still 1", got)
	}

	// The counts outlive a restart.
	cacheResult(t, h.URL+"/maven/g/a/1/a-1.jar", a)
	h.Stop()
	h = startHoard(t, h.DataDir, "--mount", "maven=maven,"+up.URL())
	if got := hits(h.AdminURL); got["g/a/1/a-1.jar"] != 1 || got["g/b/1/b-1.jar"] != 1 {
		t.Errorf("after a restart: %v, want a 1 and b 1", got)
	}
}

// Pins may take cache.max_pinned_size and no more: a pin past it is refused, and
// nothing of it is pinned.
func TestPinnedBudget(t *testing.T) {
	needE2E(t)
	jar := func(c byte) string { return "PK" + strings.Repeat(string(c), 20<<10) }
	origin := &jarOrigin{hits: map[string]int{}, files: map[string]string{}}
	for _, c := range "xyz" {
		origin.files[fmt.Sprintf("/g/%c/1/%c-1.jar", c, c)] = jar(byte(c))
	}
	up := startUpstream(t, origin)
	cfg := writeConfig(t, fmt.Sprintf("cache: {max_size: 200KiB, max_pinned_size: 50KiB}\nmounts:\n  - {name: maven, format: maven, upstream: %q}\n", up.URL()))
	h := startHoard(t, t.TempDir(), "--config", cfg)
	for _, c := range "xyz" {
		cacheResult(t, h.URL+fmt.Sprintf("/maven/g/%c/1/%c-1.jar", c, c), jar(byte(c)))
	}
	for _, c := range "xy" {
		if out, err := hoardCmd(t, "pin", "--admin", h.AdminURL, "--mount", "maven", fmt.Sprintf("g/%c", c)); err != nil {
			t.Fatalf("pin g/%c within the budget: %v\n%s", c, err, out)
		}
	}
	out, err := hoardCmd(t, "pin", "--admin", h.AdminURL, "--mount", "maven", "g/z")
	if err == nil || !strings.Contains(out, "max_pinned_size") {
		t.Errorf("a pin past max_pinned_size: %v\n%s", err, out)
	}
	var st struct {
		Cache struct {
			PinnedEntries int64 `json:"pinned_entries"`
			PinnedBudget  int64 `json:"pinned_budget"`
		}
	}
	getJSON(t, h.AdminURL+"/api/stats", &st)
	if st.Cache.PinnedEntries != 2 || st.Cache.PinnedBudget != 50<<10 {
		t.Errorf("stats: %d pinned entries of a %d budget, want 2 of %d", st.Cache.PinnedEntries, st.Cache.PinnedBudget, 50<<10)
	}
	if out, err := hoardCmd(t, "stats", "--admin", h.AdminURL); err != nil || !strings.Contains(out, "of 50 KiB") {
		t.Errorf("hoard stats does not show the pinned budget: %v\n%s", err, out)
	}

	bad := writeConfig(t, "cache: {max_size: 100KiB, max_pinned_size: 100KiB}\n")
	if out, err := hoardCmd(t, "serve", "--config", bad, "--data-dir", t.TempDir(), "--mount", "m=maven,"+up.URL()); err == nil || !strings.Contains(out, "cache.max_pinned_size") {
		t.Errorf("max_pinned_size as large as max_size was accepted: %v\n%s", err, out)
	}
}

// regexpLine reports whether some line of out matches pattern.
func regexpLine(out, pattern string) bool {
	re := regexp.MustCompile(pattern)
	for _, line := range strings.Split(out, "\n") {
		if re.MatchString(line) {
			return true
		}
	}
	return false
}
