package proxy

// Shared test helpers: a Hoard server with one Maven mount in front of a fake origin
// (origin_test.go), a controllable clock, and small HTTP client helpers.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/formats"
	"hoard/formats/maven"
)

// Paths used across tests, relative to the mount (and to the origin's root).
const (
	jarPath  = "/com/example/lib/1.0/lib-1.0.jar"
	metaPath = "/com/example/lib/maven-metadata.xml"
)

// testEnv is one Hoard server with a "maven" mount in front of one origin.
type testEnv struct {
	t      testing.TB
	origin *origin
	dir    string
	store  *cache.Store
	srv    *Server
	hoard  *httptest.Server
	clock  *fakeClock
}

// testConfig is the default configuration with one maven mount on upstreamURL, no
// retries, no token checks of Hoard's own, and limits small enough for tests. Tests adjust it further.
func testConfig(dir, upstreamURL string) configs.Config {
	cfg := configs.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = dir
	cfg.Log.Level = "error"
	cfg.Auth.Mode = "none" // the auth tests set their own mode
	cfg.Upstream.Retries = 0
	cfg.Auth.Mode = "none" // the upstream decides; the gate has tests of its own
	cfg.Upstream.HeaderTimeout = configs.Duration(20 * time.Second)
	cfg.Cache.FillTimeout = configs.Duration(2 * time.Minute)
	cfg.Mounts = []configs.Mount{{Name: "maven", Format: "maven", Upstream: upstreamURL}}
	return cfg
}

// newEnv starts Hoard in front of o; adjust, if given, changes the configuration.
func newEnv(t testing.TB, o *origin, adjust ...func(*configs.Config)) *testEnv {
	t.Helper()
	dir := t.TempDir()
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatalf("cache.Open: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := testConfig(dir, o.srv.URL)
	for _, fn := range adjust {
		fn(&cfg)
	}
	e := &testEnv{t: t, origin: o, dir: dir, store: store}
	e.srv, e.hoard, e.clock = startServer(t, store, cfg)
	return e
}

// startServer serves store with cfg; the server is closed and its fills waited for
// at test end (before the store closes, as cleanups run last-in first-out).
func startServer(t testing.TB, store *cache.Store, cfg configs.Config) (*Server, *httptest.Server, *fakeClock) {
	t.Helper()
	return startServerLogging(t, store, cfg, zerolog.Nop())
}

// startServerLogging is startServer with the server's log going to log.
func startServerLogging(t testing.TB, store *cache.Store, cfg configs.Config, log zerolog.Logger) (*Server, *httptest.Server, *fakeClock) {
	t.Helper()
	return startServerFormats(t, store, cfg, log, map[string]formats.Format{"maven": maven.New()})
}

// startServerFormats is startServerLogging with the formats mounts may name.
func startServerFormats(t testing.TB, store *cache.Store, cfg configs.Config, log zerolog.Logger, fmts map[string]formats.Format) (*Server, *httptest.Server, *fakeClock) {
	t.Helper()
	if err := cfg.Validate(func(f string) bool { _, ok := fmts[f]; return ok }); err != nil {
		t.Fatalf("config: %v", err)
	}
	srv, err := New(Options{Config: cfg, Store: store, Formats: fmts, Logger: log})
	if err != nil {
		t.Fatalf("proxy.New: %v", err)
	}
	clock := &fakeClock{now: time.Now()}
	srv.engine.now = clock.Now
	for _, m := range srv.mounts {
		for _, u := range m.upstreams {
			u.SetClock(clock.Now)
		}
	}
	hs := httptest.NewServer(settled(srv))
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.WaitFills(ctx); err != nil {
			t.Errorf("fills still running at test end: %v", err)
		}
	})
	return srv, hs, clock
}

// settled answers like srv, then waits (a bounded while) for running fills to end
// before the response is finished. A small body is answered before its commit, so
// a test that inspects the cache or changes the upstream as soon as it has an
// answer would otherwise race that commit. A test of the answer itself not
// waiting for the commit drives the engine directly (fill_test.go).
func settled(srv *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.WaitFills(ctx)
	})
}

// url is the Hoard URL of a path inside the maven mount.
func (e *testEnv) url(p string) string { return e.hoard.URL + "/maven" + p }

// key is the cache key Hoard stores a mount path under.
func (e *testEnv) key(p string) string { return "maven" + p }

// waitFills waits until no fill runs, so the cache can be inspected.
func (e *testEnv) waitFills() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.srv.WaitFills(ctx); err != nil {
		e.t.Fatalf("WaitFills: %v", err)
	}
}

// assertNotCached checks that nothing is indexed under p and no temp file is left.
func (e *testEnv) assertNotCached(p string) {
	e.t.Helper()
	e.waitFills()
	if _, err := e.store.Lookup(e.key(p)); !errors.Is(err, cache.ErrNotFound) {
		e.t.Errorf("Lookup(%s) = %v, want ErrNotFound", p, err)
	}
	ents, err := os.ReadDir(filepath.Join(e.dir, "tmp"))
	if err != nil {
		e.t.Fatalf("reading tmp: %v", err)
	}
	for _, ent := range ents {
		e.t.Errorf("temp file left behind: %s", ent.Name())
	}
}

// fakeClock is the time the engine and breakers see; tests move it by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// result is a response read to its end (or to the error that broke it off).
type result struct {
	status  int
	header  http.Header
	body    []byte
	readErr error // nil only when the body was read completely
}

// clean reports a 200 whose body arrived whole: what a failed fill must never give.
func (r result) clean() bool { return r.status == http.StatusOK && r.readErr == nil }

// do sends one request with a fresh connection and reads the whole response.
func do(t testing.TB, method, url string, body io.Reader, hdr http.Header) result {
	t.Helper()
	r, err := tryDo(method, url, body, hdr)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return r
}

// tryDo is do for goroutines other than the test's: it returns the error.
func tryDo(method, url string, body io.Reader, hdr http.Header) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return result{}, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: b, readErr: err}, nil
}

func get(t testing.TB, url string) result { t.Helper(); return do(t, http.MethodGet, url, nil, nil) }

// mustGet fetches url and fails the test unless it is a clean 200 with want.
func mustGet(t testing.TB, url string, want []byte) result {
	t.Helper()
	r := get(t, url)
	if !r.clean() {
		t.Fatalf("GET %s: status %d, read error %v, body %.200q", url, r.status, r.readErr, r.body)
	}
	if string(r.body) != string(want) {
		t.Fatalf("GET %s: got %d bytes that differ from the %d expected", url, len(r.body), len(want))
	}
	return r
}

// waitFor polls cond until it holds, failing the test after a generous bound.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// counterValue reads a Prometheus counter.
func counterValue(t testing.TB, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
