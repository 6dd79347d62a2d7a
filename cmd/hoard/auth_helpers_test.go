package main_test

// Helpers for the token and scope tests (issue 5): a fake GitHub (bench/fakegithub)
// as every mount's upstream and as the token validator, the real hoard binary in
// front of it, the tokens each test uses, and a leak guard that, when the test ends,
// greps hoard's log, its /metrics and every answer the test saw for those tokens.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/fakegithub"
	"hoard/bench/origin"
)

// The owner of the test packages, a member of it, and a user who is not.
const (
	ghOwner = "acme"
	ghAlice = "alice"
	ghBob   = "bob"
)

// cred is one caller: a role in the tests, the GitHub login and the token it sends.
type cred struct {
	role, login, tok string
}

// basic is how Maven, Gradle and OCI clients send a token; "" without one.
func (c cred) basic() string {
	if c.tok == "" {
		return ""
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.login+":"+c.tok))
}

// bearer is how npm sends a token.
func (c cred) bearer() string {
	if c.tok == "" {
		return ""
	}
	return "Bearer " + c.tok
}

// authEnv is one fake GitHub, one hoard in front of it, the callers, and the guard.
type authEnv struct {
	t     *testing.T
	gh    *fakegithub.Server
	h     *hoardProc
	creds map[string]cred // by role
	guard *leakGuard
	flags []string // hoard's flags beside --data-dir, for a restart
}

// newAuthEnv starts the fake with the callers of the matrix: none, unknown (a token
// GitHub never made), read, write and delete (alice's, with that scope; delete also
// reads, as GitHub grants it), and bob (read:packages, not a member of acme). The
// fake's Maven registry serves Debian's Maven tree as public packages of acme/repo.
func newAuthEnv(t *testing.T) *authEnv {
	t.Helper()
	needE2E(t)
	gh, err := fakegithub.New(fakegithub.Options{
		MavenTree: origin.New(origin.Options{Root: debianMavenRepo, Checksums: true}), TreeRepo: ghOwner + "/repo",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gh.Close)
	gh.AddMembers(ghOwner, ghAlice)
	e := &authEnv{t: t, gh: gh, creds: map[string]cred{}, guard: &leakGuard{}}
	e.creds["none"] = cred{role: "none", login: ghAlice}
	e.addCred("unknown", ghAlice, "ghp_"+strings.Repeat("0", 4)+randomTokenSuffix())
	for role, scopes := range map[string]string{"read": "read:packages", "write": "write:packages", "delete": "read:packages, delete:packages"} {
		e.addCred(role, ghAlice, gh.AddToken(ghAlice, scopes))
	}
	e.addCred("bob", ghBob, gh.AddToken(ghBob, "read:packages"))
	return e
}

func randomTokenSuffix() string {
	return fmt.Sprintf("%032x", time.Now().UnixNano())
}

// addCred registers a caller and tells the guard about its token.
func (e *authEnv) addCred(role, login, tok string) cred {
	c := cred{role: role, login: login, tok: tok}
	e.creds[role] = c
	e.guard.secret(role, login, tok)
	return c
}

// newToken makes another GitHub token of alice for one test.
func (e *authEnv) newToken(role, scopes string) cred {
	return e.addCred(role, ghAlice, e.gh.AddToken(ghAlice, scopes))
}

// hoardConfig is hoard's configuration: the three formats mounted on the fake's
// registries, tokens checked against its API.
type hoardConfig struct {
	mode       string // upstream (default) or local
	verdictTTL string // default 1m
	accessTTL  string // default 1m
	stale      string // auth.access_stale and auth.verdict_stale; default as built in
	credential string // the mounts' upstream credential; "" = passthrough
	mounts     string // more mounts, as YAML list items
	top        string // more top-level YAML, such as a webhook section
}

// start runs hoard with cfg and arms the leak guard for it.
func (e *authEnv) start(cfg hoardConfig) *hoardProc {
	e.t.Helper()
	mode, vttl, attl := cfg.mode, cfg.verdictTTL, cfg.accessTTL
	if mode == "" {
		mode = "upstream"
	}
	if vttl == "" {
		vttl = "1m"
	}
	if attl == "" {
		attl = "1m"
	}
	validate := e.gh.URL(fakegithub.API) + "/user"
	cred := ""
	if cfg.credential != "" {
		cred = ", credential: " + fmt.Sprintf("%q", cfg.credential)
	}
	stale := ""
	if cfg.stale != "" {
		stale = ", access_stale: " + cfg.stale + ", verdict_stale: " + cfg.stale
	}
	yaml := fmt.Sprintf(`data_dir: unused
auth: {mode: %s, validate_url: %q, verdict_ttl: %s, access_ttl: %s%s}
cache: {negative_ttl: 1m}
%s
mounts:
  - {name: maven, format: maven, upstream: %q%s}
  - {name: npm, format: npm, upstream: %q, ttl: {packument: 1h}%s}
  - {name: ghcr, format: oci, upstream: %q%s}
  - {name: rubygems, format: rubygems, upstream: %q%s}
  - {name: nuget, format: nuget, upstream: %q%s}
%s`, mode, validate, vttl, attl, stale, cfg.top, e.gh.URL(fakegithub.Maven), cred, e.gh.URL(fakegithub.Npm), cred, e.gh.URL(fakegithub.Ghcr), cred,
		e.gh.URL(fakegithub.Rubygems), cred, e.gh.URL(fakegithub.NuGet), cred, cfg.mounts)
	path := filepath.Join(e.t.TempDir(), "hoard.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		e.t.Fatal(err)
	}
	e.flags = []string{"--config", path, "--auth", mode}
	e.h = startHoard(e.t, e.t.TempDir(), e.flags...)
	e.guardProc(e.h)
	return e.h
}

// guardProc arms the leak guard for h. Registered after startHoard's own cleanup, so
// it runs first: hoard still serves /metrics, and the guard stops it before reading
// the whole log. A hoard that was replaced (killAndRestart) is not checked again.
func (e *authEnv) guardProc(h *hoardProc) {
	e.t.Cleanup(func() {
		if e.h == h {
			e.guard.check(e.t, h, e.gh)
		}
	})
}

// killAndRestart kills hoard with SIGKILL and starts it again on the same address
// and data directory; the guard reads the killed one's log too.
func (e *authEnv) killAndRestart() *hoardProc {
	e.t.Helper()
	old := e.h
	old.Kill()
	if log, err := os.ReadFile(old.LogPath); err == nil {
		e.guard.saw("hoard's log before the kill", log)
	}
	e.h = startHoardOn(e.t, hostOf(old.URL), old.DataDir, e.flags...)
	e.guardProc(e.h)
	return e.h
}

// reply is one answer from hoard.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request to hoard (url relative to its root) and shows the answer to
// the guard. hdr holds extra header name/value pairs.
func (e *authEnv) do(method, url, auth string, body []byte, hdr ...string) reply {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.h.URL+url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading the answer: %v", method, url, err)
	}
	e.guard.sawReply(method+" "+url, resp.Header, b)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// upstreamRequests counts what reached the fake's registries and blob storage (not
// its API, which hoard asks about tokens).
func (e *authEnv) upstreamRequests() int64 {
	var n int64
	for _, h := range []string{fakegithub.Maven, fakegithub.Npm, fakegithub.Ghcr, fakegithub.Storage} {
		n += e.gh.Requests(h)
	}
	return n
}

// lastUpstream is the tail of the fake's request log, for failure messages.
func (e *authEnv) lastUpstream(n int) string {
	log := e.gh.RequestLog()
	if len(log) > n {
		log = log[len(log)-n:]
	}
	return strings.Join(log, "\n")
}

// eventually polls fn every 50ms until it is true or within passes; it returns how
// long it took, and fails the test if it never became true.
func eventually(t *testing.T, within time.Duration, what string, fn func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if fn() {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
