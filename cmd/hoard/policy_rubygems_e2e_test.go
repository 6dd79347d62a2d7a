package main_test

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/fakegithub"
)

// gemPolicyMinAge: long enough that installs started right after a publish fall
// inside it on a busy machine, short enough to wait out once.
const gemPolicyMinAge = 30 * time.Second

// bundler resolves past a gem version younger than min_age (its compact index
// copies, updated by Range, staying consistent with /versions), takes it when
// the gem is exempt or once it is old enough, and fails on a denied gem naming
// the rule; a direct download of the young version is refused.
func TestBundlerPolicyMinAgeAndDeny(t *testing.T) {
	requireRubyTools(t)
	gh, token := startGemRegistry(t, "hpol")
	_, evil := buildGem(t, gemSpec{name: "hpol-evil", version: "1.0.0"})
	_, leaf11 := buildGem(t, gemSpec{name: "hpol-leaf", version: "1.1.0"})
	if err := gh.SeedGem("acme", evil); err != nil {
		t.Fatal(err)
	}
	h := startGemPolicyHoard(t, gh.URL(fakegithub.Rubygems))
	host := strings.TrimPrefix(h.URL, "http://")
	source := func(mount string) string { return "http://acme:" + token + "@" + host + "/" + mount + "/acme/" }
	time.Sleep(gemPolicyMinAge + time.Second) // what was seeded is old enough now

	bundler := newRubyClient(t)
	if _, lock, err := bundler.bundleInstall(t.TempDir(), source("gems"), map[string]string{"hpol-app": ""}); err != nil {
		t.Fatal(err)
	} else {
		mustLock(t, lock, "hpol-app (1.0.0)", "hpol-leaf (1.0.0)")
	}
	if err := gh.SeedGem("acme", leaf11); err != nil {
		t.Fatal(err)
	}
	published := time.Now()
	rubygemsHook(t, h.URL, "hpol-leaf", "1.1.0")

	// The same client, its copies of /versions and /info updated by Range.
	out, lock, err := bundler.bundleInstall(t.TempDir(), source("gems"), map[string]string{"hpol-leaf": "~> 1.0"})
	if err != nil {
		t.Fatal(err)
	}
	mustLock(t, lock, "hpol-leaf (1.0.0)")
	if strings.Contains(out, "MisMatchedChecksum") || strings.Contains(out, "does not match the checksum") {
		t.Errorf("bundler found its compact index inconsistent:\n%s", lastLines(out, 40))
	}
	checkGemIndexChain(t, h.URL+"/gems/acme/", token, "hpol-leaf", "1.1.0")
	if code, rule := gemGet(t, h.URL+"/gems/acme/gems/hpol-leaf-1.1.0.gem", token); code != http.StatusForbidden || !strings.HasPrefix(rule, "min_age") {
		t.Errorf("direct download of a version younger than min_age: %d %q, want 403 naming min_age", code, rule)
	}

	// gem reads the full index (specs.4.8.gz, Marshal), filtered too.
	gemArgs := []string{"--clear-sources", "--source", source("gems")}
	list, err := newRubyClient(t).run(t.TempDir(), nil, "gem", append([]string{"list", "--remote", "--all"}, gemArgs...)...)
	if err != nil || !strings.Contains(list, "hpol-leaf (1.0.0)") || strings.Contains(list, "hpol-evil") {
		t.Errorf("gem list --remote, want hpol-leaf (1.0.0) only and no hpol-evil: %v\n%s", err, list)
	}
	gc := newRubyClient(t)
	if _, err := gc.run(t.TempDir(), nil, "gem", append([]string{"install", "hpol-leaf", "--no-document"}, gemArgs...)...); err != nil {
		t.Error(err)
	}
	if local, err := gc.run(t.TempDir(), nil, "gem", "list", "--local", "hpol-"); err != nil || !strings.Contains(local, "hpol-leaf (1.0.0)") {
		t.Errorf("gem install under min_age, want hpol-leaf (1.0.0): %v\n%s", err, local)
	}

	if _, lock, err := newRubyClient(t).bundleInstall(t.TempDir(), source("exempt"), map[string]string{"hpol-leaf": "~> 1.0"}); err != nil {
		t.Fatal(err)
	} else {
		mustLock(t, lock, "hpol-leaf (1.1.0)")
	}

	out, _, err = newRubyClient(t).bundleInstall(t.TempDir(), source("gems"), map[string]string{"hpol-evil": ""})
	if err == nil || !strings.Contains(out, "deny hpol-evil") {
		t.Errorf("a denied gem: err %v, output naming the rule wanted:\n%s", err, lastLines(out, 30))
	}
	if time.Since(published) > gemPolicyMinAge {
		t.Fatalf("the machine is too slow for this test: the young version came of age during it")
	}

	// Once old enough, the same client takes it.
	time.Sleep(time.Until(published.Add(gemPolicyMinAge + time.Second)))
	if _, lock, err := bundler.bundleInstall(t.TempDir(), source("gems"), map[string]string{"hpol-leaf": "~> 1.0"}); err != nil {
		t.Fatal(err)
	} else {
		mustLock(t, lock, "hpol-leaf (1.1.0)")
	}
}

func startGemPolicyHoard(t *testing.T, upstream string) *hoardProc {
	t.Helper()
	dir := t.TempDir()
	secret := filepath.Join(dir, "webhook-secret")
	if err := os.WriteFile(secret, []byte(webhookSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`auth: {access_ttl: 1h}
webhook: {secret: "file:%[1]s"}
policy: {deny: ["hpol-evil"]}
mounts:
  - name: gems
    format: rubygems
    upstream: %[2]s
    ttl: {versions: 1h, info: 1h, specs: 1h}
    policy: {min_age: %[3]s}
  - name: exempt
    format: rubygems
    upstream: %[2]s
    ttl: {versions: 1h, info: 1h, specs: 1h}
    policy: {min_age: %[3]s, min_age_exempt: ["hpol-*"]}
`, secret, upstream, gemPolicyMinAge)
	path := filepath.Join(dir, "hoard.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return startHoard(t, t.TempDir(), "--config", path)
}

// checkGemIndexChain: /versions names the MD5 of /info as served (hidden
// version gone from both), and each document's ETag is its own MD5.
func checkGemIndexChain(t *testing.T, base, token, name, hiddenVersion string) {
	t.Helper()
	info, infoTag, infoHidden := gemDoc(t, base+"info/"+name, token)
	versions, versionsTag, _ := gemDoc(t, base+"versions", token)
	if !strings.Contains(infoHidden, hiddenVersion) || strings.Contains(info, "\n"+hiddenVersion+" ") {
		t.Errorf("/info/%s does not hide %s (hidden %q):\n%s", name, hiddenVersion, infoHidden, info)
	}
	if want := `"` + md5Of(info) + `"`; infoTag != want || versionsTag != `"`+md5Of(versions)+`"` {
		t.Errorf("ETags are not the MD5 of the documents served: /info %s (want %s), /versions %s", infoTag, want, versionsTag)
	}
	last := ""
	for _, line := range strings.Split(versions, "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == name {
			last = f[2]
			if strings.Contains(","+f[1]+",", ","+hiddenVersion+",") {
				t.Errorf("/versions still lists %s@%s: %q", name, hiddenVersion, line)
			}
		}
	}
	if last != md5Of(info) {
		t.Errorf("/versions names %s's /info MD5 %q, the /info served has %s:\n%s", name, last, md5Of(info), versions)
	}
}

func md5Of(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func gemDoc(t *testing.T, url, token string) (body, etag, hidden string) {
	t.Helper()
	resp := gemResponse(t, url, token)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b), resp.Header.Get("ETag"), resp.Header.Get("X-Hoard-Policy-Hidden")
}

func gemGet(t *testing.T, url, token string) (int, string) {
	t.Helper()
	resp := gemResponse(t, url, token)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Hoard-Policy")
}

func gemResponse(t *testing.T, url, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth("acme", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
