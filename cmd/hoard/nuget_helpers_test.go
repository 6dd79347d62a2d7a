package main_test

// Helpers of the NuGet tests: GitHub's NuGet registry played by bench/fakegithub,
// the real hoard binary in front of it checking tokens with the fake's API, and an
// isolated NuGet.exe (on mono) whose only source is hoard.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/fakegithub"
)

// nugetExe is where .ci/install-npm puts NuGet.exe 5.8.
func nugetExe() string {
	dir := os.Getenv("HOARD_NUGET_DIR")
	if dir == "" {
		dir = "/opt/hoard-ci/nuget"
	}
	return filepath.Join(dir, "node_modules", "nuget-exe", "nuget-5.8.0.exe")
}

// requireNuGetExe skips (or, in CI, fails) unless mono and NuGet.exe are installed.
func requireNuGetExe(t *testing.T) {
	t.Helper()
	needE2E(t)
	requireTools(t, "mono")
	requireFiles(t, nugetExe())
}

// nugetEnv is the fake GitHub, hoard in front of it, and alice's token.
type nugetEnv struct {
	t     *testing.T
	gh    *fakegithub.Server
	h     *hoardProc
	token string // alice's: read, write and delete
}

// startNuGetEnv starts the fake with alice a member of acme, and hoard with a
// GitHub-style mount "nuget" (feeds at /nuget/OWNER/index.json) and a plain-feed
// mount "feed" of acme's feed (at /feed/v3/index.json). Token verdicts and metadata
// stay fresh for an hour, so the tests see what hoard keeps, not its TTLs.
func startNuGetEnv(t *testing.T) *nugetEnv {
	e := newNuGetFake(t, "read:packages, write:packages, delete:packages")
	e.startHoard(fmt.Sprintf(`data_dir: unused
auth: {mode: upstream, validate_url: %q, verdict_ttl: 1h, access_ttl: 1h}
cache: {negative_ttl: 1s}
mounts:
  - {name: nuget, format: nuget, upstream: %q, ttl: {index: 1h, versions: 1h, registration: 1h, search: 1h}}
  - {name: feed, format: nuget, upstream: %q}
`, e.gh.URL(fakegithub.API)+"/user", e.gh.URL(fakegithub.NuGet), e.gh.URL(fakegithub.NuGet)+"/acme/index.json"))
	return e
}

// newNuGetFake starts GitHub's fake with alice a member of acme, holding a token
// of these scopes.
func newNuGetFake(t *testing.T, scopes string) *nugetEnv {
	t.Helper()
	gh, err := fakegithub.New(fakegithub.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gh.Close)
	gh.AddMembers("acme", "alice")
	return &nugetEnv{t: t, gh: gh, token: gh.AddToken("alice", scopes)}
}

// startHoard starts hoard on this configuration, checking tokens upstream.
func (e *nugetEnv) startHoard(yaml string) {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), "hoard.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		e.t.Fatal(err)
	}
	e.h = startHoard(e.t, e.t.TempDir(), "--config", path, "--auth", "upstream")
}

// seed publishes packages to acme's feed upstream.
func (e *nugetEnv) seed(pkgs ...[]byte) {
	e.t.Helper()
	for _, p := range pkgs {
		if err := e.gh.SeedNuGet("acme", p); err != nil {
			e.t.Fatal(err)
		}
	}
}

// nugetClient is one run's NuGet.exe: a fresh HOME, global packages folder and
// HTTP cache, and a NuGet.Config whose only source is hoard, with alice's token.
type nugetClient struct {
	t      *testing.T
	dir    string
	config string
}

func (e *nugetEnv) newClient(source string) *nugetClient {
	e.t.Helper()
	dir := e.t.TempDir()
	cfg := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="hoard" value="%s" protocolVersion="3" />
  </packageSources>
  <packageSourceCredentials>
    <hoard>
      <add key="Username" value="alice" />
      <add key="ClearTextPassword" value="%s" />
    </hoard>
  </packageSourceCredentials>
</configuration>
`, source, e.token)
	c := &nugetClient{t: e.t, dir: dir, config: filepath.Join(dir, "NuGet.Config")}
	if err := os.WriteFile(c.config, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// run runs NuGet.exe with this client's config and caches; the output goes to a
// log in the client's directory and, on failure, into the error.
func (c *nugetClient) run(args ...string) (string, error) {
	c.t.Helper()
	home := filepath.Join(c.dir, "home")
	env := []string{
		"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"NUGET_PACKAGES=" + filepath.Join(c.dir, "packages"),
		"NUGET_HTTP_CACHE_PATH=" + filepath.Join(c.dir, "http-cache"),
		"NUGET_PLUGINS_CACHE_PATH=" + filepath.Join(c.dir, "plugins-cache"),
		"MONO_ENV_OPTIONS=", "TERM=dumb",
	}
	args = append(args, "-ConfigFile", c.config, "-NonInteractive", "-Verbosity", "detailed")
	logPath := filepath.Join(c.dir, fmt.Sprintf("nuget-%d.log", time.Now().UnixNano()))
	err := runTool(c.t, 5*time.Minute, c.dir, logPath, env, "mono", append([]string{nugetExe()}, args...)...)
	out, _ := os.ReadFile(logPath)
	return string(out), err
}

// install installs id (with extra arguments) into out/ and lists what it holds.
func (c *nugetClient) install(id string, extra ...string) ([]string, string, error) {
	c.t.Helper()
	out := filepath.Join(c.dir, "out")
	log, err := c.run(append([]string{"install", id, "-Source", "hoard", "-OutputDirectory", out}, extra...)...)
	entries, _ := os.ReadDir(out)
	var got []string
	for _, en := range entries {
		got = append(got, en.Name())
	}
	return got, log, err
}

// hasDirs reports whether every want is among got.
func hasDirs(got []string, want ...string) bool {
	set := map[string]bool{}
	for _, g := range got {
		set[strings.ToLower(g)] = true
	}
	for _, w := range want {
		if !set[strings.ToLower(w)] {
			return false
		}
	}
	return true
}
