package main_test

// RubyGems end to end: the real bundle and gem from Debian, with fresh client
// caches, through the real hoard binary in front of the fake GitHub's RubyGems
// registry (a compact-index server like rubygems.org's), indexes fresh in hoard
// for an hour: bundle install over the compact index, then again after the
// upstream appended a version (Bundler's Range path), gem install with
// dependencies and --pre, gem list --remote (the full index), gem push of a gem
// with a dependency (visible at once), a re-push refused, gem yank (the version
// gone), and the installs again with the upstream stopped.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hoard/bench/fakegithub"
)

func TestRubygemsClientsThroughHoard(t *testing.T) {
	requireRubyTools(t)
	gh, err := fakegithub.New(fakegithub.Options{QuickSpec: rubyQuickSpec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gh.Close)
	token := gh.AddToken("acme", "read:packages,write:packages,delete:packages")

	leaf10, _ := buildGem(t, gemSpec{name: "hoard-leaf", version: "1.0.0"})
	_, leaf11 := buildGem(t, gemSpec{name: "hoard-leaf", version: "1.1.0"})
	for _, g := range []gemSpec{
		{name: "hoard-app", version: "1.0.0", deps: map[string]string{"hoard-leaf": "~> 1.0"}},
		{name: "hoard-pre", version: "2.0.0.pre1", deps: map[string]string{"hoard-leaf": ">= 1.0"}},
	} {
		_, body := buildGem(t, g)
		if err := gh.SeedGem("acme", body); err != nil {
			t.Fatal(err)
		}
	}
	leaf10Body, _ := os.ReadFile(leaf10)
	if err := gh.SeedGem("acme", leaf10Body); err != nil {
		t.Fatal(err)
	}

	h := startRubygemsHoard(t, gh.URL(fakegithub.Rubygems))
	host := strings.TrimPrefix(h.URL, "http://")
	source := "http://acme:" + token + "@" + host + "/rubygems/acme/"

	// bundle install over the compact index, from an empty client cache.
	bundler := newRubyClient(t)
	project := t.TempDir()
	out, lock, err := bundler.bundleInstall(project, source, map[string]string{"hoard-app": ""})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/rubygems/acme/versions", "/rubygems/acme/info/hoard-app", "/rubygems/acme/info/hoard-leaf"} {
		if !strings.Contains(out, want) {
			t.Errorf("bundle install's log does not show %s:\n%s", want, lastLines(out, 40))
		}
	}
	mustLock(t, lock, "hoard-app (1.0.0)", "hoard-leaf (1.0.0)")

	// The upstream appends a version and says so (GitHub's webhook); the same
	// client's next install fetches only the tails of its copies.
	if err := gh.SeedGem("acme", leaf11); err != nil {
		t.Fatal(err)
	}
	rubygemsHook(t, h.URL, "hoard-leaf", "1.1.0")
	out, lock, err = bundler.bundleInstall(project, source, map[string]string{"hoard-app": "", "hoard-leaf": ">= 1.1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "HTTP 206 Partial Content") || strings.Contains(out, "MisMatchedChecksum") || strings.Contains(out, "does not match the checksum") {
		t.Errorf("the second bundle install did not update its compact index by Range:\n%s", lastLines(out, 60))
	}
	mustLock(t, lock, "hoard-leaf (1.1.0)")

	// gem install with a dependency, and a prerelease, from empty gem homes.
	gemArgs := []string{"--clear-sources", "--source", source, "--no-document"}
	gc := newRubyClient(t)
	if _, err := gc.run(t.TempDir(), nil, "gem", append([]string{"install", "hoard-app"}, gemArgs...)...); err != nil {
		t.Fatal(err)
	}
	mustHaveGems(t, gc, "hoard-app (1.0.0)", "hoard-leaf (1.1.0)")
	pc := newRubyClient(t)
	if _, err := pc.run(t.TempDir(), nil, "gem", append([]string{"install", "hoard-pre", "--pre"}, gemArgs...)...); err != nil {
		t.Fatal(err)
	}
	mustHaveGems(t, pc, "hoard-pre (2.0.0.pre1)")

	// gem list --remote reads the full index (specs.4.8.gz, in Marshal).
	list, err := newRubyClient(t).run(t.TempDir(), nil, "gem", "list", "--remote", "--all", "--clear-sources", "--source", source)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hoard-app (1.0.0)", "hoard-leaf (1.1.0, 1.0.0)"} {
		if !strings.Contains(list, want) {
			t.Errorf("gem list --remote does not show %s:\n%s", want, list)
		}
	}

	// gem push through hoard, the key bare in Authorization; visible at once.
	pushed, _ := buildGem(t, gemSpec{name: "hoard-pushed", version: "0.1.0", deps: map[string]string{"hoard-leaf": "~> 1.1"}})
	pusher := newRubyClient(t)
	key := []string{"GEM_HOST_API_KEY=" + token}
	hostURL := h.URL + "/rubygems/acme"
	if out, err := pusher.run(filepath.Dir(pushed), key, "gem", "push", "--host", hostURL, pushed); err != nil || !strings.Contains(out, "Successfully registered gem") {
		t.Fatalf("gem push: %v\n%s", err, out)
	}
	out, lock, err = bundler.bundleInstall(project, source, map[string]string{"hoard-app": "", "hoard-pushed": "0.1.0"})
	if err != nil {
		t.Fatalf("the pushed gem is not visible at once: %v", err)
	}
	mustLock(t, lock, "hoard-pushed (0.1.0)", "hoard-leaf (1.1.0)")

	// A re-push is refused by the upstream, and the client hears so.
	if out, err := pusher.run(filepath.Dir(pushed), key, "gem", "push", "--host", hostURL, pushed); err == nil && !strings.Contains(out, "Repushing of gem versions is not allowed") {
		t.Errorf("a re-push was not refused:\n%s", out)
	} else if !strings.Contains(out, "Repushing of gem versions is not allowed") {
		t.Errorf("the upstream's refusal did not reach gem push:\n%s", out)
	}

	// gem yank: the version is gone from the index at once.
	if out, err := pusher.run(t.TempDir(), key, "gem", "yank", "hoard-pushed", "-v", "0.1.0", "--host", hostURL); err != nil || !strings.Contains(out, "Successfully deleted gem") {
		t.Fatalf("gem yank: %v\n%s", err, out)
	}
	if out, _, err := newRubyClient(t).bundleInstall(t.TempDir(), source, map[string]string{"hoard-pushed": "0.1.0"}); err == nil ||
		!strings.Contains(out, "Could not find gem 'hoard-pushed (= 0.1.0)'") {
		t.Errorf("a yanked version still installs, or fails for another reason: %v\n%s", err, lastLines(out, 20))
	}
	if info := getWithToken(t, h.URL+"/rubygems/acme/info/hoard-pushed", token); strings.Contains(info, "0.1.0 ") {
		t.Errorf("/info still lists the yanked version:\n%s", info)
	}
	// And from the full index.
	list, err = newRubyClient(t).run(t.TempDir(), nil, "gem", "list", "--remote", "--all", "--prerelease", "--clear-sources", "--source", source)
	if err != nil || strings.Contains(list, "hoard-pushed") || !strings.Contains(list, "hoard-pre (2.0.0.pre1)") {
		t.Errorf("gem list --remote --all --prerelease after the yank: %v\n%s", err, list)
	}

	// The upstream stopped: fresh clients install from hoard alone.
	gh.StopHost(fakegithub.Rubygems)
	if _, lock, err := newRubyClient(t).bundleInstall(t.TempDir(), source, map[string]string{"hoard-app": ""}); err != nil {
		t.Errorf("bundle install with the upstream stopped: %v", err)
	} else {
		mustLock(t, lock, "hoard-app (1.0.0)", "hoard-leaf (1.1.0)")
	}
	// A Gemfile naming the upstream itself, sent to hoard by bundle config's mirror
	// setting (the README's recipe), with the credentials for hoard's host.
	mc := newRubyClient(t)
	mirrored := gh.URL(fakegithub.Rubygems) + "/acme/"
	for _, args := range [][]string{
		{"config", "set", "--global", "mirror." + mirrored, h.URL + "/rubygems/acme/"},
		{"config", "set", "--global", "127.0.0.1", "acme:" + token},
	} {
		if _, err := mc.run(t.TempDir(), nil, "bundle", args...); err != nil {
			t.Fatal(err)
		}
	}
	if out, lock, err := mc.bundleInstall(t.TempDir(), mirrored, map[string]string{"hoard-app": ""}); err != nil {
		t.Errorf("bundle install through a mirror setting, upstream stopped: %v", err)
	} else {
		mustLock(t, lock, "hoard-app (1.0.0)")
		if !strings.Contains(out, host+"/rubygems/acme/versions") {
			t.Errorf("the mirrored install did not ask hoard:\n%s", lastLines(out, 30))
		}
	}
	oc := newRubyClient(t)
	if _, err := oc.run(t.TempDir(), nil, "gem", append([]string{"install", "hoard-app"}, gemArgs...)...); err != nil {
		t.Errorf("gem install with the upstream stopped: %v", err)
	} else {
		mustHaveGems(t, oc, "hoard-app (1.0.0)", "hoard-leaf (1.1.0)")
	}
}

// startRubygemsHoard runs hoard with a rubygems mount on upstream, indexes fresh
// for an hour (so only invalidation shows changes), and GitHub's webhook on.
func startRubygemsHoard(t *testing.T, upstream string) *hoardProc {
	t.Helper()
	dir := t.TempDir()
	secret := filepath.Join(dir, "webhook-secret")
	if err := os.WriteFile(secret, []byte(webhookSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`auth: {access_ttl: 1h}
webhook: {secret: "file:%s"}
mounts:
  - name: rubygems
    format: rubygems
    upstream: %s
    ttl: {versions: 1h, info: 1h, specs: 1h}
`, secret, upstream)
	path := filepath.Join(dir, "hoard.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return startHoard(t, t.TempDir(), "--config", path)
}

// rubygemsHook sends GitHub's registry_package delivery for a gem version published.
func rubygemsHook(t *testing.T, base, name, version string) {
	t.Helper()
	body := fmt.Sprintf(`{"action":"published","registry_package":{"name":%q,"namespace":"acme","ecosystem":"rubygems",
"package_type":"rubygems","owner":{"login":"acme"},"package_version":{"version":%q}}}`, name, version)
	mac := hmac.New(sha256.New, []byte(webhookSecret))
	mac.Write([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, base+"/-/hoard/webhook/github", strings.NewReader(body))
	req.Header.Set("X-GitHub-Event", "registry_package")
	req.Header.Set("X-GitHub-Delivery", "rubygems-"+name+"-"+version)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook: %d", resp.StatusCode)
	}
}

func mustLock(t *testing.T, lock string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(lock, w) {
			t.Errorf("Gemfile.lock lacks %s:\n%s", w, lock)
		}
	}
}

// mustHaveGems checks a client's gem home holds each "NAME (VERSION)".
func mustHaveGems(t *testing.T, c *rubyClient, want ...string) {
	t.Helper()
	out, err := c.run(t.TempDir(), nil, "gem", "list", "--local", "hoard-")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("gem list --local lacks %s:\n%s", w, out)
		}
	}
}

func getWithToken(t *testing.T, url, token string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth("acme", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}
