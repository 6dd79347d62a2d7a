package main_test

// OCI through the policy: crane resolves tags through the real hoard binary in
// front of a real CNCF distribution registry whose tag moves on.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// crane resolving a tag whose new digest is younger than min_age gets the
// previous digest, and pulls that image whole; the young digest pulled directly
// is DENIED naming the rule; an exempt repository gets the new digest; a tag
// denied by pattern is DENIED naming the rule.
func TestOCIPolicyTagKeepsPreviousDigest(t *testing.T) {
	needE2E(t)
	crane := ociTool(t, "crane")
	reg := startRegistry(t, "")
	up := hostOf(reg.URL())
	push := func(tag string) string {
		ref := up + "/e2e/app:" + tag
		runOCI(t, crane, "append", "--insecure", "-f", randomTar(t, 64<<10), "-t", ref)
		return strings.TrimSpace(runOCI(t, crane, "digest", "--insecure", ref))
	}
	old := push("v1")
	cfg := fmt.Sprintf(`data_dir: unused
mounts:
  - name: reg
    format: oci
    upstream: %[1]s
    ttl: {tag: 1s}
    policy: {min_age: 1h, deny: ["e2e/app@v9*"]}
  - name: exempt
    format: oci
    upstream: %[1]s
    ttl: {tag: 1s}
    policy: {min_age: 1h, min_age_exempt: ["e2e/*"]}
`, reg.URL())
	cfgPath := filepath.Join(t.TempDir(), "hoard.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	h := startHoard(t, t.TempDir(), "--config", cfgPath)
	via := func(mount, ref string) string { return hostOf(h.URL) + "/" + mount + "/e2e/app" + ref }
	digest := func(ref string) string { return strings.TrimSpace(runOCI(t, crane, "digest", "--insecure", ref)) }

	if got := digest(via("reg", ":v1")); got != old {
		t.Fatalf("first sight of the tag: %s, want %s", got, old)
	}
	young := push("v1")
	time.Sleep(1500 * time.Millisecond) // past the tag's TTL: the next read sees the move
	if got := digest(via("reg", ":v1")); got != old {
		t.Errorf("the tag moved to a digest younger than min_age: crane got %s, want the previous %s (new %s)", got, old, young)
	}
	runOCI(t, crane, "validate", "--insecure", "--remote", via("reg", ":v1"))
	if out, err := runOCIErr(t, crane, "manifest", "--insecure", via("reg", "@"+young)); err == nil ||
		!strings.Contains(err.Error(), "DENIED") || !strings.Contains(err.Error(), "min_age 1h0m0s") {
		t.Errorf("the young digest pulled directly: err %v, output %s", err, out)
	}
	if got := digest(via("exempt", ":v1")); got != young {
		t.Errorf("exempt repository: crane got %s, want the new %s", got, young)
	}
	push("v9.0")
	if out, err := runOCIErr(t, crane, "digest", "--insecure", via("reg", ":v9.0")); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("a tag denied by pattern: err %v, output %s", err, out)
	}
	if out, err := runOCIErr(t, crane, "manifest", "--insecure", via("reg", ":v9.0")); err == nil ||
		!strings.Contains(err.Error(), "DENIED") || !strings.Contains(err.Error(), "deny e2e/app@v9*") {
		t.Errorf("a tag denied by pattern, its manifest: err %v, output %s", err, out)
	}
}
