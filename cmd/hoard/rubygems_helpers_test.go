package main_test

// Helpers for the RubyGems end-to-end test: gems built by the real `gem build`,
// the fake GitHub's RubyGems registry as the upstream (its quick/Marshal
// specifications made by the real ruby), and bundle and gem run in isolated homes.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"hoard/bench/fakegithub"
)

const rubyClientTimeout = 3 * time.Minute

// requireRubyTools skips (or, in CI, fails) unless ruby, gem and bundle are here.
func requireRubyTools(t *testing.T) {
	t.Helper()
	needE2E(t)
	requireTools(t, "ruby", "gem", "bundle")
}

// rubyQuickSpec makes a gem's quick/Marshal.4.8 specification as a gem server's
// indexer does: Marshal of its Gem::Specification, deflated, by the real ruby.
func rubyQuickSpec(gem []byte) ([]byte, error) {
	f, err := os.CreateTemp("", "hoard-quick-*.gem")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	f.Write(gem)
	f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ruby", "-rrubygems/package", "-e",
		`spec = Gem::Package.new(ARGV[0]).spec; $stdout.binmode; $stdout.write(Gem.deflate(Marshal.dump(spec)))`, f.Name())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("ruby: %v: %s", err, stderr.String())
	}
	return out, nil
}

// gemSpec describes a gem to build.
type gemSpec struct {
	name, version string
	deps          map[string]string // runtime dependency -> requirement
}

// buildGem writes a gemspec and lib file and runs `gem build`; it returns the .gem.
func buildGem(t *testing.T, g gemSpec) (path string, body []byte) {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "lib"), 0o755)
	mod := "Gem" + strings.NewReplacer("-", "_", ".", "_").Replace(g.name)
	lib := fmt.Sprintf("module %s\n  VERSION = %q\nend\n", mod, g.version)
	if err := os.WriteFile(filepath.Join(dir, "lib", g.name+".rb"), []byte(lib), 0o644); err != nil {
		t.Fatal(err)
	}
	var deps strings.Builder
	for d, req := range g.deps {
		fmt.Fprintf(&deps, "  s.add_dependency %q, %q\n", d, req)
	}
	spec := fmt.Sprintf(`Gem::Specification.new do |s|
  s.name = %q
  s.version = %q
  s.summary = "a gem for Hoard's tests"
  s.authors = ["Hoard"]
  s.license = "MIT"
  s.files = ["lib/%s.rb"]
  s.required_ruby_version = ">= 2.5"
%s  s.add_development_dependency "rake"
end
`, g.name, g.version, g.name, deps.String())
	if err := os.WriteFile(filepath.Join(dir, g.name+".gemspec"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newRubyClient(t)
	if _, err := c.run(dir, nil, "gem", "build", g.name+".gemspec"); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, g.name+"-"+g.version+".gem")
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, body
}

// rubyClient is an isolated home for gem and bundle: its own gem directory, spec
// cache, Bundler cache (the compact index copies) and configuration.
type rubyClient struct {
	t    *testing.T
	home string
	n    int
}

func newRubyClient(t *testing.T) *rubyClient { return &rubyClient{t: t, home: t.TempDir()} }

// env is the machine's environment less any gem or Bundler setting, with every
// client path inside the home.
func (c *rubyClient) env(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GEM_") || strings.HasPrefix(k, "BUNDLE_") || strings.HasPrefix(k, "BUNDLER_") ||
			k == "HOME" || k == "RUBYOPT" || k == "RUBYLIB" {
			continue
		}
		env = append(env, kv)
	}
	gems := filepath.Join(c.home, "gems")
	env = append(env, "HOME="+c.home, "GEM_HOME="+gems, "GEM_PATH="+gems, "GEM_SPEC_CACHE="+filepath.Join(c.home, "specs"),
		"BUNDLE_USER_HOME="+filepath.Join(c.home, "bundle"), "BUNDLE_PATH="+filepath.Join(c.home, "vendor"),
		"BUNDLE_APP_CONFIG="+filepath.Join(c.home, "bundle-config"), "BUNDLE_SILENCE_ROOT_WARNING=1",
		"BUNDLE_DISABLE_VERSION_CHECK=1", "BUNDLE_RETRY=0")
	return append(env, extra...)
}

// run runs a client in dir and returns its combined output; an error carries
// the output's tail.
func (c *rubyClient) run(dir string, extra []string, name string, args ...string) (string, error) {
	c.t.Helper()
	c.n++
	ctx, cancel := context.WithTimeout(context.Background(), rubyClientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, c.env(extra)
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	c.t.Logf("%s %s: %v in %v", name, redactURLs(strings.Join(args, " ")), errOrOK(err), time.Since(start).Round(time.Millisecond))
	logPath := filepath.Join(c.home, fmt.Sprintf("%02d-%s.log", c.n, name))
	os.WriteFile(logPath, out, 0o644)
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n--- last lines ---\n%s", name, redactURLs(strings.Join(args, " ")), err, lastLines(string(out), 40))
	}
	return string(out), nil
}

// redactURLs hides the credentials of URLs in a command line from the test log.
func redactURLs(s string) string {
	return userinfo.ReplaceAllString(s, "://REDACTED@")
}

var userinfo = regexp.MustCompile(`://[^/@\s]+@`)

// bundleInstall writes a Gemfile of deps (name -> requirement, "" for any) with
// source, and runs bundle install --verbose in it; it returns the log and the
// Gemfile.lock.
func (c *rubyClient) bundleInstall(project, source string, deps map[string]string) (string, string, error) {
	c.t.Helper()
	var gemfile strings.Builder
	fmt.Fprintf(&gemfile, "source %q\n", source)
	for name, req := range deps {
		if req == "" {
			fmt.Fprintf(&gemfile, "gem %q\n", name)
		} else {
			fmt.Fprintf(&gemfile, "gem %q, %q\n", name, req)
		}
	}
	if err := os.WriteFile(filepath.Join(project, "Gemfile"), []byte(gemfile.String()), 0o644); err != nil {
		c.t.Fatal(err)
	}
	out, err := c.run(project, nil, "bundle", "install", "--verbose")
	lock, _ := os.ReadFile(filepath.Join(project, "Gemfile.lock"))
	return out, string(lock), err
}

// startGemRegistry is GitHub's RubyGems registry, played by fakegithub, holding an
// app gem (prefix-app) and its dependency (prefix-leaf) for owner acme; it returns
// the fake and a read token.
func startGemRegistry(t *testing.T, prefix string) (*fakegithub.Server, string) {
	t.Helper()
	gh, err := fakegithub.New(fakegithub.Options{QuickSpec: rubyQuickSpec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gh.Close)
	token := gh.AddToken("acme", "read:packages")
	for _, g := range []gemSpec{
		{name: prefix + "-leaf", version: "1.0.0"},
		{name: prefix + "-app", version: "1.0.0", deps: map[string]string{prefix + "-leaf": "~> 1.0"}},
	} {
		_, body := buildGem(t, g)
		if err := gh.SeedGem("acme", body); err != nil {
			t.Fatal(err)
		}
	}
	return gh, token
}
