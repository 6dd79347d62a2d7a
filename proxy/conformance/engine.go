package conformance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/formats"
	"hoard/proxy"
)

// shortTTL is the metadata TTL of the mount on which metadata goes stale at once.
const shortTTL = time.Millisecond

// checkEngine runs the format through the real engine, in front of a fake upstream
// serving Subject.Upstream: a miss then a hit of the artifact and of the metadata;
// the metadata revalidated once stale; a 404 remembered; with the upstream down,
// the stale metadata served and an uncached read answered in the error shape; and
// once it is back, no error remembered in place of content.
func checkEngine(t T, s Subject) {
	t.Helper()
	e := startEngine(t, s)
	if e == nil {
		return
	}
	art, meta, missing := e.upstreamPath(t, s.Artifact), e.upstreamPath(t, s.Metadata), e.upstreamPath(t, s.Missing)
	if art == "" || meta == "" || missing == "" {
		return
	}
	want := s.Upstream[art].Body

	// Miss, then hit: the second read reaches no upstream.
	e.expect(t, "m", s.Artifact, 200, "miss", want)
	e.expect(t, "m", s.Artifact, 200, "hit", want)
	if n := e.up.count(art); n != 1 {
		t.Errorf("artifact fetched %d times upstream for a miss and a hit, want 1", n)
	}
	// (The artifact's fill may have read the metadata already, for its checksum.)
	before := e.up.count(meta)
	first := e.expect(t, "m", s.Metadata, 200, "miss", nil)
	e.expect(t, "m", s.Metadata, 200, "hit", first)
	if n := e.up.count(meta) - before; n != 1 {
		t.Errorf("metadata fetched %d times upstream for a miss and a hit, want 1", n)
	}

	// Revalidation, on the mount whose metadata is stale at once (its answers name
	// that mount, so they are compared with its own miss).
	first = e.expect(t, "s", s.Metadata, 200, "miss", nil)
	before = e.up.count(meta)
	time.Sleep(20 * shortTTL)
	e.expect(t, "s", s.Metadata, 200, "revalidated", first)
	if n := e.up.count(meta) - before; n != 1 {
		t.Errorf("revalidation asked the upstream %d times, want once", n)
	}

	// Negative: a 404 in the format's shape, remembered.
	e.expectError(t, "m", s.Missing, 404)
	e.expectError(t, "m", s.Missing, 404)
	if n := e.up.count(missing); n != 1 {
		t.Errorf("missing artifact asked upstream %d times, want 1 (the 404 remembered)", n)
	}

	// The upstream down: stale metadata is served; an uncached read fails in the
	// format's shape, and the failure is not kept in place of the content.
	e.up.setDown(true)
	time.Sleep(20 * shortTTL)
	e.expect(t, "s", s.Metadata, 200, "stale", first)
	e.expectError(t, "s", s.Artifact, 502)
	e.up.setDown(false)
	e.expect(t, "s", s.Artifact, 200, "miss", want)
}

// engine is a server with two mounts of the format on one fake upstream: m with
// the default TTLs, s with every metadata TTL shortTTL.
type engine struct {
	f     formats.Format
	up    *upstream
	hoard *httptest.Server
}

func startEngine(t T, s Subject) *engine {
	t.Helper()
	f := s.New()
	up := newUpstream(s.Upstream)
	t.Cleanup(up.srv.Close)
	dir := t.TempDir()
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Errorf("cache.Open: %v", err)
		return nil
	}
	t.Cleanup(func() { store.Close() })
	short := map[string]configs.Duration{}
	for _, sm := range s.Samples {
		if rt, err := route(f, sm.Request); err == nil && rt.TTLClass != "" {
			short[rt.TTLClass] = configs.Duration(shortTTL)
		}
	}
	cfg := configs.Default()
	cfg.Listen, cfg.DataDir, cfg.Log.Level = "127.0.0.1:0", dir, "error"
	cfg.Auth.Mode = "none"
	cfg.Upstream.Retries = 0
	cfg.Upstream.BreakerFailures = 100 // the down phase tests stale content, not the breaker
	cfg.Cache.NegativeTTL = configs.Duration(time.Hour)
	cfg.Mounts = []configs.Mount{
		{Name: "m", Format: f.Name(), Upstream: up.srv.URL},
		{Name: "s", Format: f.Name(), Upstream: up.srv.URL, TTL: short},
	}
	if err := cfg.Validate(func(name string) bool { return name == f.Name() }); err != nil {
		t.Errorf("config: %v", err)
		return nil
	}
	srv, err := proxy.New(proxy.Options{Config: cfg, Store: store, Formats: map[string]formats.Format{f.Name(): f}, Logger: zerolog.Nop()})
	if err != nil {
		t.Errorf("proxy.New: %v", err)
		return nil
	}
	hs := httptest.NewServer(settled(srv))
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.WaitFills(ctx)
	})
	return &engine{f: f, up: up, hoard: hs}
}

// settled answers like srv, then waits a bounded while for running fills, so that
// the next request finds what the last one cached.
func settled(srv *proxy.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.WaitFills(ctx)
	})
}

// upstreamPath is the upstream path the format fetches for req, which the fake
// upstream must hold (or, for Missing, lack).
func (e *engine) upstreamPath(t T, req Request) string {
	t.Helper()
	rt, err := route(e.f, req)
	if err != nil || (rt.Kind != formats.Artifact && rt.Kind != formats.Metadata) {
		t.Errorf("%s: routed as %v (%v), want a cached read", describe(req), rt.Kind, err)
		return ""
	}
	return rt.Path
}

// do sends req to mount and returns the answer with its body.
func (e *engine) do(t T, mount string, req Request) (*http.Response, []byte) {
	t.Helper()
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	r, err := http.NewRequest(method, e.hoard.URL+publicPath(e.f, mount, req.Path), nil)
	if err != nil {
		t.Errorf("%s: %v", describe(req), err)
		return nil, nil
	}
	for k, v := range req.Header {
		r.Header[k] = v
	}
	resp, err := e.hoard.Client().Do(r)
	if err != nil {
		t.Errorf("%s: %v", describe(req), err)
		return nil, nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("%s: reading the answer: %v", describe(req), err)
	}
	return resp, body
}

// expect reads req at mount and checks the status, the cache result and, when
// want is not nil, the body; it returns the body.
func (e *engine) expect(t T, mount string, req Request, status int, result string, want []byte) []byte {
	t.Helper()
	resp, body := e.do(t, mount, req)
	if resp == nil {
		return nil
	}
	got := resp.Header.Get("X-Hoard-Cache")
	if resp.StatusCode != status || got != result {
		t.Errorf("%s at %s: %d %s, want %d %s (%s)", describe(req), mount, resp.StatusCode, got, status, result, preview(body))
	}
	if want != nil && string(body) != string(want) {
		t.Errorf("%s at %s (%s): body %s, want %s", describe(req), mount, got, preview(body), preview(want))
	}
	return body
}

// expectError reads req at mount and checks for an error answer of status in the
// format's shape.
func (e *engine) expectError(t T, mount string, req Request, status int) {
	t.Helper()
	resp, body := e.do(t, mount, req)
	if resp == nil {
		return
	}
	if resp.StatusCode != status {
		t.Errorf("%s at %s: %d, want %d (%s)", describe(req), mount, resp.StatusCode, status, preview(body))
	}
	rec := httptest.NewRecorder()
	e.f.WriteError(rec, httptest.NewRequest(http.MethodGet, "/", nil), status, io.EOF)
	if want, got := mediaType(rec.Header().Get("Content-Type")), mediaType(resp.Header.Get("Content-Type")); got != want {
		t.Errorf("%s at %s: error %d as %q, not in the format's shape (%q)", describe(req), mount, status, got, want)
	}
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(strings.ToLower(mt))
}

// upstream serves fixtures by request URI with an ETag of their digest, answers
// a matching If-None-Match with 304, counts requests by path (and query), and
// drops every connection while down.
type upstream struct {
	srv      *httptest.Server
	fixtures map[string]Fixture

	mu     sync.Mutex
	counts map[string]int
	down   bool
}

func newUpstream(fixtures map[string]Fixture) *upstream {
	u := &upstream{fixtures: fixtures, counts: map[string]int{}}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve))
	return u
}

func (u *upstream) count(path string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.counts[path]
}

func (u *upstream) setDown(down bool) {
	u.mu.Lock()
	u.down = down
	u.mu.Unlock()
}

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	uri := r.URL.RequestURI()
	u.mu.Lock()
	u.counts[uri]++
	down := u.down
	u.mu.Unlock()
	if down {
		// Unreachable: the connection drops before any answer.
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	fx, ok := u.fixtures[uri]
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(fx.Body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	for k, v := range fx.Header {
		w.Header()[k] = v
	}
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(fx.Body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(fx.Body)
}
