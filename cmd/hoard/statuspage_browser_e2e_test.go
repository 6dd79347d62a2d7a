package main_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The status page, loaded in a real browser after real traffic through the real
// binary, draws its plots and tables from that traffic, keeps itself up to date,
// fits a phone's width, and logs nothing to the console: no script error, no
// resource refused by its content policy, no failed request.
func TestStatusPageInBrowser(t *testing.T) {
	needE2E(t)
	chromium := findChromium(t)
	h, traffic := startStatusPageTraffic(t)
	traffic()

	ctx := newBrowser(t, chromium)
	console := collectConsole(ctx)
	const token = "page-s3cret"
	// The token travels in the fragment, which the browser never sends; the page
	// moves it into the tab's session storage and out of the address bar.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 1000), chromedp.Navigate(h.AdminURL+"/#token="+token)); err != nil {
		t.Fatalf("load the status page: %v", err)
	}
	plots := waitForPlots(t, ctx)
	for _, p := range plots {
		t.Logf("plot %s: %d points, %d lines, %d dots", p.ID, p.Points, p.Paths, p.Dots)
	}
	page := readPage(t, ctx)
	if !strings.Contains(page.TopHits, "g/a/1") || !strings.Contains(page.TopBytes, "g/big/1") {
		t.Errorf("top packages: by hits %q, by bytes %q", page.TopHits, page.TopBytes)
	}
	if !strings.Contains(page.Errors, "502") || !strings.Contains(page.Errors, "/maven/broken/") {
		t.Errorf("recent errors do not show the failed request: %q", page.Errors)
	}
	if !strings.Contains(page.Upstreams, "closed") && !strings.Contains(page.Upstreams, "open") {
		t.Errorf("upstreams table without breaker state: %q", page.Upstreams)
	}
	if page.HitRatio == "–" || page.HitRatio == "" || page.CacheSize == "" || page.Address != h.AdminURL+"/" {
		t.Errorf("cards: hit ratio %q, cache %q; address %q (the token must leave it)", page.HitRatio, page.CacheSize, page.Address)
	}
	saveScreenshot(t, ctx, "status-laptop.png")

	// More traffic shows up without a reload: the page polls the API.
	before := page.TopHits
	traffic()
	waitFor(t, ctx, "the page to show the new hits", fmt.Sprintf(`document.querySelector("#top-hits tbody").textContent !== %q`, before))
	// Once a 10 s step has closed, the last hour's plots join their points in lines.
	waitFor(t, ctx, "a line in the last hour's traffic plot",
		`Array.from(document.querySelectorAll("#plot-hour-traffic path.series")).some(p => p.getAttribute("d").includes("L"))`)

	// On a phone's width nothing runs off the side.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil || overflow > 0 {
		t.Errorf("on a phone the page is %d px wider than the screen (%v)", overflow, err)
	}
	saveScreenshot(t, ctx, "status-phone.png")

	for _, m := range console() {
		t.Errorf("console: %s", m)
	}
}

// findChromium finds Debian's chromium, which .ci/run installs.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	missing(t, "chromium is not installed (Debian package chromium)")
	return ""
}

// startStatusPageTraffic runs hoard with a Maven mount over a local origin and
// returns it with a function that sends a round of traffic: misses, hits, a big
// jar for the bytes, and a request the origin fails.
func startStatusPageTraffic(t *testing.T) (*hoardProc, func()) {
	t.Helper()
	jar := func(c byte, n int) string { return "PK" + strings.Repeat(string(c), n) }
	origin := &jarOrigin{hits: map[string]int{}, files: map[string]string{
		"/g/a/1/a-1.jar": jar('a', 2<<10), "/g/b/1/b-1.jar": jar('b', 4<<10), "/g/big/1/big-1.jar": jar('z', 256<<10),
	}}
	up := startUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/broken/") {
			http.Error(w, "origin failure", http.StatusInternalServerError)
			return
		}
		origin.ServeHTTP(w, r)
	}))
	t.Setenv("HOARD_TEST_PAGE_TOKEN", "page-s3cret")
	cfg := writeConfig(t, fmt.Sprintf("admin:\n  token: env:HOARD_TEST_PAGE_TOKEN\nupstream:\n  retries: 0\ncache: {max_size: 10MiB}\nmounts:\n  - {name: maven, format: maven, upstream: %q}\n", up.URL()))
	h := startHoard(t, t.TempDir(), "--config", cfg)
	round := 0
	return h, func() {
		round++
		for path, body := range origin.files {
			for range 3 {
				cacheResult(t, h.URL+"/maven"+path, body)
			}
		}
		for range 2 {
			cacheResult(t, h.URL+"/maven/g/a/1/a-1.jar", origin.files["/g/a/1/a-1.jar"])
		}
		resp, err := http.Get(fmt.Sprintf("%s/maven/broken/%d/x/1/x-1.jar", h.URL, round))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 500 {
			t.Fatalf("a request the origin fails: %d, want a 5xx", resp.StatusCode)
		}
	}
}

// newBrowser starts headless chromium with a fresh profile; it ends with the test.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	base, cancelTimeout := context.WithTimeout(context.Background(), 3*time.Minute)
	alloc, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); cancelTimeout() })
	return ctx
}

// collectConsole gathers the page's console messages of type error and warning,
// uncaught exceptions and browser log errors from now on; the function it
// returns stops and returns them.
func collectConsole(ctx context.Context) func() []string {
	sub, stop := context.WithCancel(ctx)
	messages := chromedp.Console(sub)
	var mu sync.Mutex
	var bad []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning {
				mu.Lock()
				bad = append(bad, m.String()+" "+m.URL)
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		stop()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return bad
	}
}

type plotState struct {
	ID     string `json:"id"`
	Points int    `json:"points"`
	HasMax bool   `json:"hasMax"`
	Paths  int    `json:"paths"`
	Dots   int    `json:"dots"`
}

// waitForPlots waits until every plot has drawn data points with a value above
// zero, and returns what each holds.
func waitForPlots(t *testing.T, ctx context.Context) []plotState {
	t.Helper()
	const state = `Array.from(document.querySelectorAll("svg.plot")).map(s => ({
		id: s.id, points: +(s.dataset.points || 0), hasMax: s.dataset.max === "1",
		paths: s.querySelectorAll("path.series").length, dots: s.querySelectorAll("circle.dot").length}))`
	waitFor(t, ctx, "four plots with data", `(() => { const p = `+state+`; return p.length === 4 && p.every(x => x.points > 0 && x.hasMax && x.dots > 0); })()`)
	plots, err := chromedp.Run(ctx, chromedp.Evaluate[[]plotState](state))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plots {
		if strings.HasSuffix(p.ID, "-traffic") && p.Paths != 2 {
			t.Errorf("%s: %d lines, want bytes served and bytes from upstreams", p.ID, p.Paths)
		}
	}
	return plots
}

func waitFor(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](predicate, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("waiting for %s: %v\npage:\n%s", what, err, body)
	}
}

type pageText struct {
	TopHits   string `json:"topHits"`
	TopBytes  string `json:"topBytes"`
	Errors    string `json:"errors"`
	Upstreams string `json:"upstreams"`
	HitRatio  string `json:"hitRatio"`
	CacheSize string `json:"cacheSize"`
	Address   string `json:"address"`
}

func readPage(t *testing.T, ctx context.Context) pageText {
	t.Helper()
	p, err := chromedp.Run(ctx, chromedp.Evaluate[pageText](`({
		topHits: document.querySelector("#top-hits tbody").textContent,
		topBytes: document.querySelector("#top-bytes tbody").textContent,
		errors: document.querySelector("#errors tbody").textContent,
		upstreams: document.querySelector("#upstreams tbody").textContent,
		hitRatio: document.getElementById("hit-ratio").textContent,
		cacheSize: document.getElementById("cache-size").textContent,
		address: location.href})`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// saveScreenshot writes a PNG of the page into $HOARD_TEST_ARTIFACTS, or into the
// test's temporary directory, and logs where.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("HOARD_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}
