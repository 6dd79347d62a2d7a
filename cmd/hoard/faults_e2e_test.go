package main_test

// Faults of the upstream, against the real hoard binary, for every format: the
// status each case gets, that nothing partial or erroneous is cached, and the right
// bytes once the fault is fixed.

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// faultFormat is how one format's artifact is asked for through hoard and upstream.
type faultFormat struct {
	name string
	// prepare fetches what the artifact's fill needs first (npm's packument).
	prepare func(t *testing.T, hoardURL, id string)
	// hoardPath and upstreamPath of the artifact named id; want is its content.
	hoardPath, upstreamPath func(id string) string
	want                    func(id string) []byte
}

var faultFormats = []faultFormat{
	{
		name:         "maven",
		hoardPath:    func(id string) string { return "/maven/com/acme/" + id + "/1.0/" + id + "-1.0.jar" },
		upstreamPath: func(id string) string { return "/repo/com/acme/" + id + "/1.0/" + id + "-1.0.jar" },
		want:         func(id string) []byte { return artifactBytes("/repo/com/acme/" + id + "/1.0/" + id + "-1.0.jar") },
	},
	{
		name: "npm",
		prepare: func(t *testing.T, hoardURL, id string) {
			if r := fetch(t, http.MethodGet, hoardURL+"/npm/"+id, nil); r.status != 200 {
				t.Fatalf("npm packument of %s: %d %s", id, r.status, r.body)
			}
		},
		hoardPath:    func(id string) string { return "/npm/" + id + "/-/" + id + "-1.0.0.tgz" },
		upstreamPath: func(id string) string { return "/npm/" + id + "/-/" + id + "-1.0.0.tgz" },
		want:         func(id string) []byte { return npmTgz(id, "1.0.0") },
	},
	{
		name: "oci",
		hoardPath: func(id string) string {
			return "/v2/ghcr/acme/" + id + "/blobs/sha256:" + sha256Hex(artifactBytes("acme/"+id))
		},
		upstreamPath: func(id string) string {
			return "/v2/acme/" + id + "/blobs/sha256:" + sha256Hex(artifactBytes("acme/"+id))
		},
		want: func(id string) []byte { return artifactBytes("acme/" + id) },
	},
}

// faultCase is one fault and what the client must get while it lasts.
type faultCase struct {
	fault      string
	status     int    // 0: a broken transfer or a 502, never a clean 200
	retryAfter string // the Retry-After passed on
	served     bool   // the right bytes come through despite the fault (and are cached)
}

var faultCases = []faultCase{
	{fault: faultReset},
	{fault: faultShort},
	{fault: faultHang, status: http.StatusGatewayTimeout},
	{fault: faultDrip, status: http.StatusOK, served: true},
	{fault: fault500, status: http.StatusBadGateway},
	{fault: fault503, status: http.StatusBadGateway},
	{fault: fault429, status: http.StatusServiceUnavailable, retryAfter: "17"},
	{fault: faultGzip, status: http.StatusOK, served: true},
	{fault: faultGzipLabel, status: http.StatusOK, served: true},
}

// startFaultHoard runs hoard in front of up with a short header budget and a
// breaker that stays closed through the cases.
func startFaultHoard(t *testing.T, up *faultyUpstream) *hoardProc {
	t.Helper()
	cfg := writeConfig(t, fmt.Sprintf(`upstream: {header_timeout: 3s, retries: 2, retry_backoff: 50ms, breaker_failures: 1000}
mounts:
  - {name: maven, format: maven, upstream: %q}
  - {name: npm, format: npm, upstream: %q}
  - {name: ghcr, format: oci, upstream: %q}
`, up.URL()+"/repo", up.URL()+"/npm", up.URL()))
	return startHoard(t, t.TempDir(), "--config", cfg)
}

func TestUpstreamFaultsEveryFormat(t *testing.T) {
	needE2E(t)
	up := newFaultyUpstream(t)
	h := startFaultHoard(t, up)
	for _, ff := range faultFormats {
		for i, fc := range faultCases {
			id := fmt.Sprintf("f%s%d", ff.name, i)
			t.Run(ff.name+"/"+fc.fault, func(t *testing.T) {
				if ff.prepare != nil {
					ff.prepare(t, h.URL, id)
				}
				url, upath, want := h.URL+ff.hoardPath(id), ff.upstreamPath(id), ff.want(id)
				up.set(upath, fc.fault)
				r := fetch(t, http.MethodGet, url, nil)
				checkFaultAnswer(t, fc, r, want)
				up.set(upath, faultNone)
				before := up.count(upath)
				r = fetch(t, http.MethodGet, url, nil)
				if r.status != 200 || r.err != nil || !bytes.Equal(r.body, want) {
					t.Fatalf("after the fault: %d (%v), %d bytes; want the %d published bytes", r.status, r.err, len(r.body), len(want))
				}
				asked := up.count(upath) - before
				switch {
				case fc.served && asked != 0:
					t.Errorf("what was served through the fault was not cached: the upstream was asked %d more times", asked)
				case !fc.served && asked != 1:
					t.Errorf("upstream requests after the fault = %d, want 1: something of the fault was cached", asked)
				}
				// The fill commits just after its last byte went out: the next
				// request is a hit once it has.
				eventually(t, 10*time.Second, "a hit with the published bytes", func() bool {
					r := fetch(t, http.MethodGet, url, nil)
					return r.header.Get("X-Hoard-Cache") == "hit" && bytes.Equal(r.body, want)
				})
			})
		}
	}
}

func checkFaultAnswer(t *testing.T, fc faultCase, r faultReply, want []byte) {
	t.Helper()
	switch {
	case fc.status == 0:
		if r.status == 200 && r.err == nil {
			t.Fatalf("a clean 200 of %d bytes from a broken upstream transfer", len(r.body))
		}
		if r.status != 200 && r.status != http.StatusBadGateway {
			t.Errorf("status %d, want a broken transfer or 502", r.status)
		}
	case r.status != fc.status:
		t.Fatalf("status %d, want %d; body %.200s", r.status, fc.status, r.body)
	case fc.served && (r.err != nil || !bytes.Equal(r.body, want)):
		t.Fatalf("%d bytes (%v), want the %d published bytes", len(r.body), r.err, len(want))
	case fc.served && r.header.Get("Content-Encoding") != "":
		t.Errorf("served with Content-Encoding %q", r.header.Get("Content-Encoding"))
	}
	if got := r.header.Get("Retry-After"); got != fc.retryAfter {
		t.Errorf("Retry-After %q, want %q", got, fc.retryAfter)
	}
}

// The connection refused: a cold miss is a 502 naming it, nothing is cached, and
// the artifact comes through once the upstream is back.
func TestUpstreamRefusedEveryFormat(t *testing.T) {
	needE2E(t)
	up := newFaultyUpstream(t)
	h := startFaultHoard(t, up)
	for _, ff := range faultFormats {
		if ff.prepare != nil {
			ff.prepare(t, h.URL, "refused")
		}
	}
	up.Close()
	for _, ff := range faultFormats {
		if r := fetch(t, http.MethodGet, h.URL+ff.hoardPath("refused"), nil); r.status != http.StatusBadGateway {
			t.Errorf("%s, upstream refusing connections: %d %.200s, want 502", ff.name, r.status, r.body)
		}
	}
	up.Start()
	for _, ff := range faultFormats {
		want := ff.want("refused")
		if r := fetch(t, http.MethodGet, h.URL+ff.hoardPath("refused"), nil); r.status != 200 || !bytes.Equal(r.body, want) {
			t.Errorf("%s, upstream back: %d, %d bytes; want the published bytes", ff.name, r.status, len(r.body))
		}
	}
}

// An OCI tag whose upstream names a digest other than its bytes' is served with
// the digest of the bytes served, by GET and HEAD, for a client that accepts every
// manifest type and for one that accepts only some; gzip-encoded manifests come
// through as published.
func TestOCIDigestHeaderIsOfTheServedBytes(t *testing.T) {
	needE2E(t)
	up := newFaultyUpstream(t)
	h := startFaultHoard(t, up)
	for i, accept := range []string{ociAccept, "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"} {
		for _, fault := range []string{faultLieDigest, faultGzip} {
			repo := fmt.Sprintf("acme/tag%d%s", i, strings.Fields(fault)[0])
			up.set("/v2/"+repo+"/manifests/v1", fault)
			want := ociManifestOf(repo)
			for _, method := range []string{http.MethodHead, http.MethodGet, http.MethodGet} {
				r := fetch(t, method, h.URL+"/v2/ghcr/"+repo+"/manifests/v1", http.Header{"Accept": {accept}})
				if r.status != 200 {
					t.Fatalf("%s %s (%s): %d %.200s", method, repo, accept, r.status, r.body)
				}
				if got := r.header.Get("Docker-Content-Digest"); got != "sha256:"+sha256Hex(want) {
					t.Errorf("%s %s (Accept %.40s, %s): Docker-Content-Digest %q, want the served bytes' sha256:%s", method, repo, accept, fault, got, sha256Hex(want))
				}
				if method == http.MethodGet && !bytes.Equal(r.body, want) {
					t.Errorf("GET %s: body is not the published manifest", repo)
				}
			}
		}
	}
}

// A request whose headers pass 64 KiB is a 431, and the server goes on serving; an
// unclean path outside the mounts ("//host:port/...") is a 400 that reaches no host.
func TestRequestLimitsAndUncleanPaths(t *testing.T) {
	needE2E(t)
	up := newFaultyUpstream(t)
	h := startFaultHoard(t, up)
	big := http.Header{"X-Big": {strings.Repeat("a", 1<<20)}}
	if r := fetch(t, http.MethodGet, h.URL+"/maven/com/acme/big/1.0/big-1.0.jar", big); r.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("1 MiB of request headers: %d, want 431", r.status)
	}
	if r := fetch(t, http.MethodGet, h.URL+"/healthz", nil); r.status != 200 {
		t.Errorf("after the 431, /healthz: %d", r.status)
	}
	other := startUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request reached another host: %s", r.URL)
	}))
	for _, p := range []string{"//" + hostOf(other.URL()) + "/maven/com/acme/x/1.0/x-1.0.jar", "//" + hostOf(up.URL()) + "/repo/x", "/maven//" + hostOf(other.URL()) + "/x/1.0/x-1.0.jar"} {
		r := rawGet(t, h.URL, p)
		if !strings.HasPrefix(r, "HTTP/1.1 400 ") {
			t.Errorf("GET %s: %.60q, want a 400", p, r)
		}
	}
}

// faultReply is one answer from hoard; err is set when the body broke off.
type faultReply struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func fetch(t *testing.T, method, url string, hdr http.Header) faultReply {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip") // as many clients do; no artifact may come encoded
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return faultReply{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return faultReply{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

// rawGet sends path as the request target as it is (net/http's client would clean
// it) and returns the first line of the answer.
func rawGet(t *testing.T, base, path string) string {
	t.Helper()
	conn, err := dialHost(hostOf(base))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, hostOf(base))
	b, _ := io.ReadAll(io.LimitReader(conn, 4096))
	line, _, _ := strings.Cut(string(b), "\r\n")
	return line
}

func dialHost(host string) (net.Conn, error) { return net.DialTimeout("tcp", host, 10*time.Second) }

// A bit flipped in a stored 1 MiB jar and a 1 MiB layer while hoard was stopped:
// the first serve after the restart breaks off instead of completing with the wrong
// bytes, is counted, and the next request fetches the blob again.
func TestBitFlipAfterRestartIsCaught(t *testing.T) {
	needE2E(t)
	up := newFaultyUpstream(t)
	h := startFaultHoard(t, up)
	var paths []string
	for _, ff := range faultFormats {
		if ff.name == "npm" {
			continue // its tarballs are small
		}
		p := ff.hoardPath("big")
		if r := fetch(t, http.MethodGet, h.URL+p, nil); r.status != 200 || !bytes.Equal(r.body, ff.want("big")) {
			t.Fatalf("%s: filling: %d", ff.name, r.status)
		}
		paths = append(paths, p)
	}
	h.Stop()
	flipped := 0
	err := filepath.WalkDir(filepath.Join(h.DataDir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil || info.Size() != 1<<20 {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b[len(b)/3] ^= 0x04
		flipped++
		return os.WriteFile(p, b, 0o644)
	})
	if err != nil || flipped != 2 {
		t.Fatalf("flipping a bit in the two 1 MiB blobs: %v (%d flipped)", err, flipped)
	}
	cfgArgs := h.cmd.Args[len(h.cmd.Args)-2:] // --config FILE
	h = startHoardOn(t, hostOf(h.URL), h.DataDir, cfgArgs...)
	for i, p := range paths {
		r := fetch(t, http.MethodGet, h.URL+p, nil)
		if r.status == 200 && r.err == nil {
			t.Errorf("%s: the first serve after the restart completed a 200 of %d bytes from a corrupt blob", p, len(r.body))
		}
		want := faultFormats[[]int{0, 2}[i]].want("big")
		eventually(t, 10*time.Second, "the blob fetched again", func() bool {
			r := fetch(t, http.MethodGet, h.URL+p, nil)
			return r.status == 200 && r.err == nil && bytes.Equal(r.body, want)
		})
	}
	m := fetch(t, http.MethodGet, h.URL+"/metrics", http.Header{"Accept-Encoding": {"identity"}})
	if !bytes.Contains(m.body, []byte(`hoard_corrupt_blobs_total{mount="maven"} 1`)) || !bytes.Contains(m.body, []byte(`hoard_corrupt_blobs_total{mount="ghcr"} 1`)) {
		t.Errorf("/metrics does not count one corrupt blob per mount")
	}
}
