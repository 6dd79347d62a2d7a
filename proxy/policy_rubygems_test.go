package proxy

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"hoard/cache"
	"hoard/configs"
	"hoard/formats"
	"hoard/formats/rubygems"

	"github.com/rs/zerolog"
)

// gemsEnv is Hoard with one rubygems mount "gems" on o, under policy.
func gemsEnv(t *testing.T, o *origin, policy configs.Policy) *testEnv {
	t.Helper()
	dir := t.TempDir()
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := testConfig(dir, o.srv.URL)
	cfg.Mounts = []configs.Mount{{Name: "gems", Format: "rubygems", Upstream: o.srv.URL, Policy: policy}}
	e := &testEnv{t: t, origin: o, dir: dir, store: store}
	e.srv, e.hoard, e.clock = startServerFormats(t, store, cfg, zerolog.Nop(), map[string]formats.Format{"rubygems": rubygems.New()})
	return e
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// versionsSum is the MD5 the last /versions line of name names.
func versionsSum(versions []byte, name string) string {
	sum := ""
	for _, l := range strings.Split(string(versions), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == name {
			sum = f[2]
		}
	}
	return sum
}

// The MD5 chain through the engine: /versions names the MD5 of /info as
// served, filtered; both ETags are MD5s of what is served; once the hidden
// version comes of age, both change together (the filtered /info kept for
// /versions expires with it); a Range of /versions is of the filtered bytes.
func TestPolicyRubygemsChecksumChain(t *testing.T) {
	o := newOrigin(t)
	now := time.Now().UTC()
	info := "---\n1.0.0 |checksum:aa,created_at:2020-01-01T00:00:00Z\n" +
		"1.1.0 |checksum:bb,created_at:" + now.Add(-time.Hour).Format(time.RFC3339) + "\n"
	o.add("/info/lib", []byte(info))
	o.add("/info/other", []byte("---\n1.0.0 |checksum:cc\n"))
	versions := "created_at: 2026-01-01T00:00:00Z\n---\nlib 1.0.0 0000\nother 1.0.0 " + md5hex([]byte("---\n1.0.0 |checksum:cc\n")) + "\nlib 1.1.0 " + md5hex([]byte(info)) + "\n"
	o.add("/versions", []byte(versions))
	e := gemsEnv(t, o, configs.Policy{MinAge: configs.Age(2 * time.Hour)})
	url := func(p string) string { return e.hoard.URL + "/gems" + p }

	gotInfo := get(t, url("/info/lib"))
	if strings.Contains(string(gotInfo.body), "1.1.0") || gotInfo.header.Get("ETag") != `"`+md5hex(gotInfo.body)+`"` {
		t.Fatalf("/info: %q, ETag %s", gotInfo.body, gotInfo.header.Get("ETag"))
	}
	gotVersions := get(t, url("/versions"))
	if sum := versionsSum(gotVersions.body, "lib"); sum != md5hex(gotInfo.body) {
		t.Errorf("/versions names %s for lib, /info served has %s:\n%s", sum, md5hex(gotInfo.body), gotVersions.body)
	}
	if strings.Contains(string(gotVersions.body), "lib 1.1.0") || gotVersions.header.Get("ETag") != `"`+md5hex(gotVersions.body)+`"` {
		t.Errorf("/versions: %q, ETag %s", gotVersions.body, gotVersions.header.Get("ETag"))
	}
	if h := gotVersions.header.Get(hiddenHeader); h != "lib@1.1.0 (min_age 2h0m0s)" {
		t.Errorf("%s = %q", hiddenHeader, h)
	}
	tail := do(t, http.MethodGet, url("/versions"), nil, http.Header{"Range": {"bytes=10-"}})
	if tail.status != http.StatusPartialContent || string(tail.body) != string(gotVersions.body[10:]) {
		t.Errorf("Range of /versions: %d %q", tail.status, tail.body)
	}

	e.clock.Advance(90 * time.Minute) // 1.1.0 is two and a half hours old
	gotInfo = get(t, url("/info/lib"))
	gotVersions = get(t, url("/versions"))
	if string(gotInfo.body) != info || versionsSum(gotVersions.body, "lib") != md5hex([]byte(info)) {
		t.Errorf("once of age: /info %q, /versions\n%s", gotInfo.body, gotVersions.body)
	}
}

// A gem refused whole: its /info is a 403 naming the rule, /names drops it and
// /versions keeps it (bundler asks only for gems /versions lists).
func TestPolicyRubygemsDeniedGem(t *testing.T) {
	o := newOrigin(t)
	o.add("/info/evil", []byte("---\n1.0.0 |checksum:aa\n"))
	o.add("/names", []byte("---\nevil\nlib\n"))
	o.add("/versions", []byte("---\nevil 1.0.0 0000\nlib 1.0.0 1111\n"))
	e := gemsEnv(t, o, configs.Policy{Deny: []string{"evil"}})
	url := func(p string) string { return e.hoard.URL + "/gems" + p }
	r := get(t, url("/info/evil"))
	if r.status != http.StatusForbidden || r.header.Get(policyHeader) != "deny evil" || !strings.Contains(string(r.body), "deny evil") {
		t.Errorf("/info of a denied gem: %d %q %q", r.status, r.header.Get(policyHeader), r.body)
	}
	if r := get(t, url("/names")); string(r.body) != "---\nlib\n" {
		t.Errorf("/names: %q", r.body)
	}
	if r := get(t, url("/versions")); !strings.Contains(string(r.body), "evil 1.0.0") {
		t.Errorf("/versions: %q", r.body)
	}
}
