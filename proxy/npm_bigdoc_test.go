package proxy

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"

	"hoard/bench/npmreg"
	"hoard/cache"
	"hoard/configs"
	"hoard/formats"
	"hoard/formats/npm"
)

const abbreviatedAccept = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"

// countingNpm is the npm format with a count of the checksum tables it builds.
type countingNpm struct {
	npm.Format
	sums *atomic.Int64
}

func (c countingNpm) Sums(rt formats.Route, doc []byte, base string) (map[string]formats.Checksum, error) {
	c.sums.Add(1)
	return c.Format.Sums(rt, doc, base)
}

func (c countingNpm) RewriteSums(rt formats.Route, body []byte, base string) ([]byte, map[string]formats.Checksum, error) {
	c.sums.Add(1)
	return c.Format.RewriteSums(rt, body, base)
}

func (c countingNpm) RewritePieces(rt formats.Route, body []byte, base string) ([][]byte, map[string]formats.Checksum, error) {
	c.sums.Add(1)
	return c.Format.RewritePieces(rt, body, base)
}

// plainNpm is the npm format as an older Hoard knew it: no checksum tables.
type plainNpm struct{ npm.Format }

func (plainNpm) Sums()          {} // hides npm.Format's SumsIndexer method
func (plainNpm) RewriteSums()   {} // and its RewriteIndexer one
func (plainNpm) RewritePieces() {} // and its PieceRewriter one

type npmEnv struct {
	t      testing.TB
	reg    *npmreg.BigRegistry
	origin *httptest.Server
	store  *cache.Store
	cfg    configs.Config
	public string // what the last server's rewritten documents point at
}

func newNpmEnv(t *testing.T, specs ...npmreg.BigSpec) *npmEnv {
	t.Helper()
	reg, err := npmreg.NewBigRegistry(specs...)
	if err != nil {
		t.Fatal(err)
	}
	return newNpmEnvWith(t, reg)
}

// newNpmEnvWith puts an empty cache in front of reg (not yet served: see serve).
func newNpmEnvWith(t testing.TB, reg *npmreg.BigRegistry) *npmEnv {
	t.Helper()
	origin := httptest.NewServer(reg)
	t.Cleanup(origin.Close)
	n := newNpmEnvAt(t, reg, origin.URL)
	n.origin = origin
	return n
}

// newNpmEnvAt is newNpmEnvWith for an upstream at url, which may serve
// something other than reg.
func newNpmEnvAt(t testing.TB, reg *npmreg.BigRegistry, url string) *npmEnv {
	t.Helper()
	dir := t.TempDir()
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := testConfig(dir, url)
	cfg.Mounts = []configs.Mount{{Name: "npm", Format: "npm", Upstream: url}}
	return &npmEnv{t: t, reg: reg, store: store, cfg: cfg}
}

// serve starts a Hoard on the shared store with f as the npm format, and returns
// the URL to ask it at.
func (n *npmEnv) serve(f formats.Format) string {
	srv, hs, _ := startServerFormats(n.t, n.store, n.cfg, zerolog.Nop(), map[string]formats.Format{"npm": f})
	n.public = srv.engine.mountURL(srv.mounts["npm"])
	return hs.URL + "/npm"
}

// TestNpmPackumentOverOldLimit: packuments past the 1 MiB that used to be read whole
// are filled, rewritten and served in both variants, and their tarballs verified
// from a checksum table built once per document, not once per tarball.
func TestNpmPackumentOverOldLimit(t *testing.T) {
	n := newNpmEnv(t, npmreg.BigSpec{Name: "big", Versions: 400, ReadmeBytes: 64 << 10})
	if size := len(n.reg.Packument("big", false)); size < 2<<20 {
		t.Fatalf("the generated packument is only %d bytes", size)
	}
	var sums atomic.Int64
	base := n.serve(countingNpm{npm.New(), &sums})

	abbrev := do(t, http.MethodGet, base+"/big", nil, http.Header{"Accept": {abbreviatedAccept}})
	if abbrev.status != http.StatusOK || !bytes.Contains(abbrev.body, []byte(`"modified"`)) {
		t.Fatalf("abbreviated: %d", abbrev.status)
	}
	assertRewritten(t, abbrev.body, n.public, 400)
	full := getOK(t, base+"/big")
	if bytes.Equal(abbrev.body, full.body) {
		t.Fatal("the full packument was answered with the abbreviated one")
	}
	assertRewritten(t, full.body, n.public, 400)

	for _, v := range []string{npmreg.Version(0), npmreg.Version(200), npmreg.Version(399)} {
		got := mustGet(t, base+"/big/-/big-"+v+".tgz", n.reg.Tarball("big", v))
		if got.header.Get("X-Hoard-Cache") != "miss" {
			t.Errorf("%s: %s", v, got.header.Get("X-Hoard-Cache"))
		}
	}
	// One table per variant, each built when the variant was filled.
	if got := sums.Load(); got != 2 {
		t.Errorf("checksum tables built %d times for two documents", got)
	}
}

// TestNpmFullAnswersAbbreviated: a fresh full packument answers a request for the
// abbreviated one without asking the upstream, however big.
func TestNpmFullAnswersAbbreviated(t *testing.T) {
	n := newNpmEnv(t, npmreg.BigSpec{Name: "big", Versions: 400})
	base := n.serve(npm.New())
	full := getOK(t, base+"/big")
	before := n.reg.Requests()
	abbrev := do(t, http.MethodGet, base+"/big", nil, http.Header{"Accept": {abbreviatedAccept}})
	if abbrev.status != http.StatusOK || !bytes.Equal(abbrev.body, full.body) || n.reg.Requests() != before {
		t.Fatalf("abbreviated: %d, same as full: %v, upstream requests %d -> %d",
			abbrev.status, bytes.Equal(abbrev.body, full.body), before, n.reg.Requests())
	}
	got := mustGet(t, base+"/big/-/big-"+npmreg.Version(7)+".tgz", n.reg.Tarball("big", npmreg.Version(7)))
	if got.header.Get("X-Hoard-Cache") != "miss" {
		t.Errorf("tarball: %s", got.header.Get("X-Hoard-Cache"))
	}
}

// TestNpmTableBuiltForOldCache: a packument cached without a checksum table (by an
// older Hoard) gets one on its first tarball miss, once.
func TestNpmTableBuiltForOldCache(t *testing.T) {
	n := newNpmEnv(t, npmreg.BigSpec{Name: "big", Versions: 300})
	old := n.serve(plainNpm{npm.New()})
	if got := tableBuildsAfter(t, n, old); got != 1 {
		t.Errorf("checksum table built %d times for one cached document", got)
	}
}

// tableBuildsAfter caches the packument "big" (full and abbreviated) through
// the server at cached, then fetches three of its tarballs through a second
// server on the same cache, and returns how often that second server built a
// checksum table.
func tableBuildsAfter(t *testing.T, n *npmEnv, cached string) int64 {
	t.Helper()
	getOK(t, cached+"/big")
	do(t, http.MethodGet, cached+"/big", nil, http.Header{"Accept": {abbreviatedAccept}})
	var sums atomic.Int64
	base := n.serve(countingNpm{npm.New(), &sums})
	for _, i := range []int{1, 2, 3} {
		v := npmreg.Version(i)
		mustGet(t, base+"/big/-/big-"+v+".tgz", n.reg.Tarball("big", v))
	}
	return sums.Load()
}

// TestNpmTableCommittedWithItsPackument: the checksum table made in a
// packument's rewrite is indexed by the packument's own commit, so a later
// process, with no table in memory, verifies the tarballs from it without
// building one.
func TestNpmTableCommittedWithItsPackument(t *testing.T) {
	n := newNpmEnv(t, npmreg.BigSpec{Name: "big", Versions: 300})
	first := n.serve(npm.New())
	if got := tableBuildsAfter(t, n, first); got != 0 {
		t.Errorf("checksum table built %d times though its packument's commit stored it", got)
	}
}

// TestNpmTarballFailingTableRefused: a tarball whose bytes differ from what its
// packument's table declares is refused and not cached.
func TestNpmTarballFailingTableRefused(t *testing.T) {
	n := newNpmEnv(t, npmreg.BigSpec{Name: "big", Versions: 300})
	base := n.serve(npm.New())
	tampered := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".tgz") {
			w.Write([]byte("not the published tarball"))
			return
		}
		n.reg.ServeHTTP(w, r)
	}))
	defer tampered.Close()
	n.cfg.Mounts[0].Upstream = tampered.URL
	base = n.serve(npm.New())
	getOK(t, base+"/big")
	got := get(t, base+"/big/-/big-"+npmreg.Version(5)+".tgz")
	if got.status == http.StatusOK && got.readErr == nil {
		t.Fatalf("a tarball failing its integrity was served: %d", got.status)
	}
	if _, err := n.store.Lookup("npm/" + "tgz/big/big-" + npmreg.Version(5) + ".tgz"); err == nil {
		t.Error("a tarball failing its integrity was cached")
	}
}

// TestNpmMetadataLimitNamed: a document over cache.max_metadata_size is refused with
// a message that names the setting, the limit and the size.
func TestNpmMetadataLimitNamed(t *testing.T) {
	n := newNpmEnv(t, npmreg.BigSpec{Name: "big", Versions: 50})
	n.cfg.Cache.MaxMetadataSize = 64 << 10
	base := n.serve(npm.New())
	got := get(t, base+"/big")
	size := len(n.reg.Packument("big", false))
	if got.status != http.StatusBadGateway {
		t.Fatalf("status %d", got.status)
	}
	for _, want := range []string{"cache.max_metadata_size", "65536", strconv.Itoa(size)} {
		if !strings.Contains(string(got.body), want) {
			t.Errorf("error %q does not name %q", got.body, want)
		}
	}
}

// getOK gets url and fails the test on anything but a whole 200.
func getOK(t *testing.T, url string) result {
	t.Helper()
	r := get(t, url)
	if !r.clean() {
		t.Fatalf("GET %s: %d %v %s", url, r.status, r.readErr, r.body)
	}
	return r
}

// assertRewritten checks a served packument: valid JSON whose every tarball points
// at the mount, versions all there.
func assertRewritten(t *testing.T, body []byte, base string, versions int) {
	t.Helper()
	var doc struct {
		Versions map[string]struct {
			Dist struct{ Tarball, Integrity string } `json:"dist"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("served packument is not JSON: %v", err)
	}
	if len(doc.Versions) != versions {
		t.Fatalf("%d versions, want %d", len(doc.Versions), versions)
	}
	for v, d := range doc.Versions {
		if !strings.HasPrefix(d.Dist.Tarball, base+"/big/-/") || d.Dist.Integrity == "" {
			t.Fatalf("version %s: tarball %q integrity %q", v, d.Dist.Tarball, d.Dist.Integrity)
		}
	}
}
