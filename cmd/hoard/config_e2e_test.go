package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hoard.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A bad file is refused before anything starts, with every problem named by its key.
func TestServeRefusesBadConfigNamingEachKey(t *testing.T) {
	needE2E(t)
	file := writeConfig(t, `
cache:
  max_sise: 1GiB
upstream:
  retries: many
mounts:
  - {name: npm, format: npm, upstream: "http://127.0.0.1:1", ttl: {packumnet: 1m}}
`)
	out, err := hoardCmd(t, "serve", "--config", file, "--listen", "127.0.0.1:0", "--data-dir", t.TempDir())
	if code := exitCode(t, err); code == 0 {
		t.Fatalf("hoard served a bad configuration:\n%s", out)
	}
	for _, want := range []string{`cache.max_sise (line 3): unknown key; did you mean "max_size"?`, "upstream.retries (line 5)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The TTL class is checked once the file parses.
	file = writeConfig(t, "mounts:\n  - {name: npm, format: npm, upstream: \"http://127.0.0.1:1\", ttl: {packumnet: 1m}}\n")
	out, err = hoardCmd(t, "serve", "--config", file, "--listen", "127.0.0.1:0", "--data-dir", t.TempDir())
	if code := exitCode(t, err); code == 0 || !strings.Contains(out, `mounts[0].ttl.packumnet: format npm has no TTL class "packumnet"; its classes are packument`) {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

// A file without a mounts key is laid over the defaults, mounts included.
func TestConfigWithoutMountsKeepsDefaultMounts(t *testing.T) {
	needE2E(t)
	h := startHoard(t, t.TempDir(), "--config", writeConfig(t, "log:\n  level: debug\n"))
	b, err := os.ReadFile(h.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	// The start-up line names the public URL and every mount with its upstream.
	for _, want := range []string{`"public_url":"` + h.URL + `"`, `{"name":"maven","format":"maven","upstreams":["https://maven.pkg.github.com"]}`,
		`{"name":"npm","format":"npm","upstreams":["https://npm.pkg.github.com"]}`, `{"name":"ghcr","format":"oci","upstreams":["https://ghcr.io"]}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("start-up line lacks %s:\n%s", want, b)
		}
	}
}

// Offline, GitHub cannot check tokens: every request would be refused, so the
// daemon refuses to start and says what to set instead.
func TestServeRefusesOfflineWithUpstreamTokenChecks(t *testing.T) {
	needE2E(t)
	out, err := hoardCmd(t, "serve", "--offline", "--auth", "upstream", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir())
	if code := exitCode(t, err); code == 0 || !strings.Contains(out, "an offline gateway never contacts") || !strings.Contains(out, "auth.mode to local") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}
