package main_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/fakegithub"
)

// TestAirGapRubyGems: a Gemfile.lock bundler wrote against GitHub's RubyGems
// registry warms a connected hoard; carried across, an offline --auth local site
// serves bundle install from a fresh client, to a local token covering the owner.
func TestAirGapRubyGems(t *testing.T) {
	requireRubyTools(t)
	gh, token := startGemRegistry(t, "hoard")
	upstream := gh.URL(fakegithub.Rubygems)
	source := strings.Replace(upstream, "://", "://acme:"+token+"@", 1) + "/acme/"
	lockProject := t.TempDir()
	if _, lock, err := newRubyClient(t).bundleInstall(lockProject, source, map[string]string{"hoard-app": ""}); err != nil {
		t.Fatal(err)
	} else {
		mustLock(t, lock, "hoard-app (1.0.0)", "hoard-leaf (1.0.0)")
	}

	connected := startHoard(t, t.TempDir(), "--mount", "rubygems=rubygems,"+upstream)
	out, err := adminCmd(t, connected, "warm", "--path-prefix", "acme", "--token", "acme:"+token,
		filepath.Join(lockProject, "Gemfile.lock"))
	if err != nil || !strings.Contains(out, " 0 failed") {
		t.Fatalf("warm: %v\n%s", err, out)
	}
	bundle := filepath.Join(t.TempDir(), "gems.bundle")
	if out, err := adminCmd(t, connected, "export", "--out", bundle); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	connected.Stop()
	gh.Close()

	site := startHoard(t, t.TempDir(), "--offline", "--auth", "local", "--mount", "rubygems=rubygems,http://127.0.0.1:9/")
	if out, err := adminCmd(t, site, "import", bundle); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = hoardCmd(t, "token", "create", "--data-dir", site.DataDir, "--name", "builds", "--scopes", "read:packages", "--namespaces", "acme")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	local := strings.TrimSpace(out)
	time.Sleep(3 * time.Second) // the daemon reads new tokens within two seconds
	siteSource := "http://builds:" + local + "@" + strings.TrimPrefix(site.URL, "http://") + "/rubygems/acme/"
	project := t.TempDir()
	if log, lock, err := newRubyClient(t).bundleInstall(project, siteSource, map[string]string{"hoard-app": ""}); err != nil {
		t.Fatalf("bundle install offline: %v\n%s", err, lastLines(log, 40))
	} else {
		mustLock(t, lock, "hoard-app (1.0.0)", "hoard-leaf (1.0.0)")
	}
}
