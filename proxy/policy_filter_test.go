package proxy

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/formats"
	"hoard/formats/npm"
)

// newPolicyNpmEnv serves an npm mount in front of o with the mount policy p.
func newPolicyNpmEnv(t *testing.T, o *origin, p configs.Policy) (*Server, string, *fakeClock) {
	t.Helper()
	dir := t.TempDir()
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := testConfig(dir, o.srv.URL)
	cfg.Mounts = []configs.Mount{{Name: "npm", Format: "npm", Upstream: o.srv.URL, Policy: p}}
	srv, hs, clock := startServerFormats(t, store, cfg, zerolog.Nop(), map[string]formats.Format{"npm": npm.New()})
	return srv, hs.URL + "/npm", clock
}

func packumentAt(released map[string]time.Time, latest string) []byte {
	versions, times := map[string]any{}, map[string]string{}
	for v, at := range released {
		versions[v] = map[string]any{"name": "left-pad", "version": v, "dist": map[string]string{}}
		times[v] = at.UTC().Format(time.RFC3339)
	}
	b, _ := json.Marshal(map[string]any{"name": "left-pad", "dist-tags": map[string]string{"latest": latest}, "versions": versions, "time": times})
	return b
}

// A version younger than min_age is hidden from the packument, latest moves to
// the newest one kept, the answer says what it hid, and the cached document is
// not the filtered one: once the version is old enough it is served.
func TestPolicyFiltersYoungVersionsAtServeTime(t *testing.T) {
	now := time.Now()
	o := newOrigin(t)
	o.add("/left-pad", packumentAt(map[string]time.Time{"1.0.0": now.AddDate(0, 0, -30), "1.1.0": now.Add(-time.Hour)}, "1.1.0"))
	srv, base, clock := newPolicyNpmEnv(t, o, configs.Policy{MinAge: configs.Age(72 * time.Hour)})

	r := get(t, base+"/left-pad")
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var doc struct {
		DistTags map[string]string          `json:"dist-tags"`
		Versions map[string]json.RawMessage `json:"versions"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc.Versions["1.1.0"]; ok || doc.DistTags["latest"] != "1.0.0" {
		t.Errorf("versions %v latest %q: 1.1.0 should be hidden", doc.Versions, doc.DistTags["latest"])
	}
	if got := r.header.Get(hiddenHeader); got != "1.1.0 (min_age 72h0m0s)" {
		t.Errorf("%s = %q", hiddenHeader, got)
	}
	if got := counterValue(t, srv.metrics.policy.WithLabelValues("npm", "min_age", "hidden")); got != 1 {
		t.Errorf("hidden counted %v, want 1", got)
	}
	// A conditional request is judged against the filtered bytes.
	etag := r.header.Get("ETag")
	if c := do(t, http.MethodGet, base+"/left-pad", nil, http.Header{"If-None-Match": {etag}}); c.status != http.StatusNotModified {
		t.Errorf("If-None-Match of the filtered ETag: status %d, want 304", c.status)
	}

	clock.Advance(72 * time.Hour)
	r = get(t, base+"/left-pad")
	if !strings.Contains(string(r.body), `"1.1.0"`) || r.header.Get(hiddenHeader) != "" || r.header.Get("ETag") == etag {
		t.Errorf("after 72h 1.1.0 is still hidden: %s %v", r.body, r.header)
	}
}

// A tarball of a version the policy refuses by range is a 403 in npm's error shape.
func TestPolicyDeniedTarballIsForbidden(t *testing.T) {
	o := newOrigin(t)
	o.add("/left-pad/-/left-pad-1.1.0.tgz", []byte("tgz"))
	_, base, _ := newPolicyNpmEnv(t, o, configs.Policy{Deny: []string{"left-pad@>=1.1"}})
	r := get(t, base+"/left-pad/-/left-pad-1.1.0.tgz")
	if r.status != http.StatusForbidden || !strings.Contains(string(r.body), `"error"`) || !strings.Contains(string(r.body), "deny left-pad@") {
		t.Fatalf("status %d body %s", r.status, r.body)
	}
}

// A tarball of a version younger than min_age is refused as its packument hides
// it, dated by the packument's time; an old enough one is served.
func TestPolicyYoungTarballIsForbidden(t *testing.T) {
	now := time.Now()
	o := newOrigin(t)
	o.add("/left-pad", packumentAt(map[string]time.Time{"1.0.0": now.AddDate(0, 0, -30), "1.1.0": now.Add(-time.Hour)}, "1.1.0"))
	old := gzipped(t, "old")
	o.add("/left-pad/-/left-pad-1.0.0.tgz", old)
	o.add("/left-pad/-/left-pad-1.1.0.tgz", []byte("new"))
	_, base, _ := newPolicyNpmEnv(t, o, configs.Policy{MinAge: configs.Age(72 * time.Hour)})
	r := get(t, base+"/left-pad/-/left-pad-1.1.0.tgz")
	if r.status != http.StatusForbidden || r.header.Get(policyHeader) != "min_age 72h0m0s" {
		t.Fatalf("young tarball: status %d %s = %q", r.status, policyHeader, r.header.Get(policyHeader))
	}
	if o.count("/left-pad/-/left-pad-1.1.0.tgz") != 0 {
		t.Error("a refused tarball was fetched upstream")
	}
	if r := get(t, base+"/left-pad/-/left-pad-1.0.0.tgz"); r.status != http.StatusOK || !bytes.Equal(r.body, old) {
		t.Fatalf("old tarball: status %d body %q", r.status, r.body)
	}
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// An abbreviated packument that states no release times is filtered with those
// of the full packument.
func TestPolicyDatesAbbreviatedPackumentFromFull(t *testing.T) {
	now := time.Now()
	full := packumentAt(map[string]time.Time{"1.0.0": now.AddDate(0, 0, -30), "1.1.0": now.Add(-time.Hour)}, "1.1.0")
	abbrev := []byte(`{"name":"left-pad","dist-tags":{"latest":"1.1.0"},"versions":{"1.0.0":{"version":"1.0.0","dist":{}},"1.1.0":{"version":"1.1.0","dist":{}}}}`)
	o := newOrigin(t)
	o.fault("/left-pad", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.Header.Get("Accept"), "vnd.npm.install-v1") {
			w.Write(abbrev)
			return
		}
		w.Write(full)
	})
	_, base, _ := newPolicyNpmEnv(t, o, configs.Policy{MinAge: configs.Age(72 * time.Hour)})
	r := do(t, http.MethodGet, base+"/left-pad", nil, http.Header{"Accept": {"application/vnd.npm.install-v1+json"}})
	if r.status != http.StatusOK || strings.Contains(string(r.body), `"1.1.0"`) || r.header.Get(hiddenHeader) == "" {
		t.Fatalf("status %d %s=%q body %s", r.status, hiddenHeader, r.header.Get(hiddenHeader), r.body)
	}
}

func packumentNoTime(versions ...string) []byte {
	vs := map[string]any{}
	for _, v := range versions {
		vs[v] = map[string]any{"name": "left-pad", "version": v, "dist": map[string]string{}}
	}
	b, _ := json.Marshal(map[string]any{"name": "left-pad", "dist-tags": map[string]string{"latest": versions[len(versions)-1]}, "versions": vs})
	return b
}

// An upstream that states no release times: the versions listed when the
// package is first seen are its baseline and pass; a version that appears later
// is dated by when Hoard first saw it, and waits min_age from then.
func TestPolicyDatesByFirstSightWhenUpstreamStatesNoTime(t *testing.T) {
	o := newOrigin(t)
	o.add("/left-pad", packumentNoTime("1.0.0"))
	_, base, clock := newPolicyNpmEnv(t, o, configs.Policy{MinAge: configs.Age(72 * time.Hour)})
	if r := get(t, base+"/left-pad"); r.status != http.StatusOK || !strings.Contains(string(r.body), `"1.0.0"`) {
		t.Fatalf("baseline hidden: status %d body %s", r.status, r.body)
	}
	o.add("/left-pad", packumentNoTime("1.0.0", "1.1.0"))
	clock.Advance(time.Hour) // past the packument's TTL
	r := get(t, base+"/left-pad")
	if strings.Contains(string(r.body), `"1.1.0"`) || r.header.Get(hiddenHeader) != "1.1.0 (min_age 72h0m0s)" {
		t.Fatalf("a version first seen now is not hidden: %s=%q body %s", hiddenHeader, r.header.Get(hiddenHeader), r.body)
	}
	if r := get(t, base+"/left-pad/-/left-pad-1.1.0.tgz"); r.status != http.StatusForbidden {
		t.Errorf("its tarball: status %d, want 403", r.status)
	}
	clock.Advance(72 * time.Hour)
	if r := get(t, base+"/left-pad"); !strings.Contains(string(r.body), `"1.1.0"`) {
		t.Errorf("72h after first sight 1.1.0 is still hidden: %s", r.body)
	}
}
