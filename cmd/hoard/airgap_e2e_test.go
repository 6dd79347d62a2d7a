package main_test

// The air-gap workflow end to end, with the real clients: a connected hoard is
// warmed from lockfiles written by npm, pnpm and yarn, a Maven list from a real
// build and an image list, through its admin API; its export is carried (a file)
// to a second hoard on a fresh data directory, offline and with no upstream,
// which imports it; there npm ci, mvn package and crane pull succeed from fresh
// client caches. Tampered bundles are refused, each with its reason, and leave
// nothing to serve.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/origin"
)

// adminCmd runs a hoard subcommand that talks to a daemon's admin API.
func adminCmd(t *testing.T, h *hoardProc, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args = append(args, "--admin", h.AdminURL)
	start := time.Now()
	out, err := exec.CommandContext(ctx, hoardBinary(t), args...).CombinedOutput()
	t.Logf("hoard %s: %v in %v\n%s", args[0], errOrOK(err), time.Since(start).Round(time.Millisecond), lastLines(string(out), 15))
	return string(out), err
}

type airGap struct {
	bundle, pub, otherPub string
	npmProject            string
	image, index          string
	offline               []string // the mounts of an offline site: same names, no upstream
}

func TestAirGapWarmExportImportOffline(t *testing.T) {
	requireNpmTools(t)
	requireMaven(t)
	crane := ociTool(t, "crane")

	// The connected side's upstreams: Verdaccio, Debian's Maven tree, a CNCF registry.
	v, token := startVerdaccio(t)
	seedNpmTree(t, v.URL, token)
	_, mavenUp := mavenOrigin(t, origin.Options{})
	reg := startRegistry(t, "")
	up := hostOf(reg.URL())
	for _, arch := range []string{"amd64", "arm64"} {
		ref := up + "/e2e/src:" + arch
		runOCI(t, crane, "append", "--insecure", "-f", randomTar(t, 200<<10), "-t", ref)
		runOCI(t, crane, "mutate", "--insecure", ref, "--set-platform", "linux/"+arch, "-t", ref)
	}
	runOCI(t, crane, "index", "append", "--insecure", "-m", up+"/e2e/src:amd64", "-m", up+"/e2e/src:arm64", "-t", up+"/e2e/multi:v1")
	ag := airGap{index: strings.TrimSpace(runOCI(t, crane, "digest", "--insecure", up+"/e2e/multi:v1"))}

	// What the site's builds need, as files.
	lockfiles, npmProject := npmLockfiles(t, v.URL, npmTreeDeps())
	ag.npmProject = npmProject
	mavenDeps := mavenList(t, mavenUp.URL()+originBase)
	images := filepath.Join(t.TempDir(), "images.txt")
	os.WriteFile(images, []byte("# the site's images\n"+up+"/e2e/multi:v1\n"), 0o644)

	connected := startHoard(t, t.TempDir(), "--mount", "npm=npm,"+v.URL, "--mount", "maven=maven,"+mavenUp.URL()+originBase,
		"--mount", "reg=oci,"+reg.URL())
	files := append(append([]string{}, lockfiles...), mavenDeps, images)
	out, err := adminCmd(t, connected, append([]string{"warm"}, files...)...)
	if err != nil || !strings.Contains(out, " 0 failed") {
		t.Fatalf("warm: %v\n%s", err, out)
	}
	if strings.Contains(out, "warm: 0 fetched") {
		t.Fatalf("the first warm fetched nothing:\n%s", out)
	}
	// A second warm finds everything cached and fetches nothing.
	out, err = adminCmd(t, connected, append([]string{"warm"}, files...)...)
	if err != nil || !strings.Contains(out, "warm: 0 fetched") {
		t.Fatalf("second warm: %v\n%s", err, out)
	}

	keys := t.TempDir()
	key := filepath.Join(keys, "site.key")
	if out, err := hoardCmd(t, "keygen", "--out", key); err != nil {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	hoardCmd(t, "keygen", "--out", filepath.Join(keys, "other.key"))
	ag.pub, ag.otherPub = key+".pub", filepath.Join(keys, "other.key.pub")
	ag.bundle = filepath.Join(t.TempDir(), "site.bundle")
	if out, err := adminCmd(t, connected, "export", "--out", ag.bundle, "--sign-key", key); err != nil || !strings.Contains(out, "signed") {
		t.Fatalf("export: %v\n%s", err, out)
	}

	checkOCILayout(t, connected, ag.index)

	// The gap: every upstream goes away.
	connected.Stop()
	v.Stop()
	mavenUp.Close()
	reg.Stop()
	ag.offline = []string{"--offline", "--mount", "npm=npm,http://127.0.0.1:9/", "--mount", "maven=maven,http://127.0.0.1:9/repo",
		"--mount", "reg=oci,http://127.0.0.1:9"}

	t.Run("tampered bundles refused", func(t *testing.T) { checkTampered(t, ag) })
	t.Run("import and serve offline", func(t *testing.T) { checkImportOffline(t, ag, crane) })
}

func checkImportOffline(t *testing.T, ag airGap, crane string) {
	site := startHoard(t, t.TempDir(), ag.offline...)
	out, err := adminCmd(t, site, "import", "--dry-run", "--verify-key", ag.pub, ag.bundle)
	if err != nil || !strings.Contains(out, "dry run: nothing changed") || !strings.Contains(out, "signature verified") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if n := cacheEntries(t, site); n != "0" {
		t.Fatalf("the dry run changed the cache: %s entries", n)
	}
	out, err = adminCmd(t, site, "import", "--verify-key", ag.pub, ag.bundle)
	if err != nil || strings.Contains(out, " 0 added") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = adminCmd(t, site, "import", "--verify-key", ag.pub, ag.bundle)
	if err != nil || !strings.Contains(out, " 0 added, 0 replaced") {
		t.Fatalf("second import is not a no-op: %v\n%s", err, out)
	}

	// npm ci from package-lock.json, whose resolved URLs name the registry left
	// behind: the client is told to fetch from the site's mirror instead.
	c := newNpmClient(t, site.URL+"/npm/", "")
	rc, _ := os.ReadFile(filepath.Join(c.home, ".npmrc"))
	os.WriteFile(filepath.Join(c.home, ".npmrc"), append(rc, "replace-registry-host=always\n"...), 0o600)
	if _, err := c.run(ag.npmProject, "npm", "ci", "--no-audit", "--no-fund"); err != nil {
		t.Fatalf("npm ci offline: %v", err)
	}
	checkTree(t, c, ag.npmProject, "npm ci")
	// pnpm resolves the same ranges from the warmed (abbreviated) packuments.
	pc := newNpmClient(t, site.URL+"/npm/", "")
	project := writeProject(t, npmTreeDeps())
	if _, err := pc.install(project, "pnpm"); err != nil {
		t.Fatalf("pnpm install offline: %v", err)
	}
	checkTree(t, pc, project, "pnpm")

	mproject := copyProject(t)
	if err := mvn(t, mproject, mavenSettings(t, site.URL, ""), "package"); err != nil {
		t.Fatalf("mvn package offline: %v", err)
	}
	assertTestsRan(t, filepath.Join(mproject, surefireReport))

	img := hostOf(site.URL) + "/reg/e2e/multi"
	if got := strings.TrimSpace(runOCI(t, crane, "digest", "--insecure", img+":v1")); got != ag.index {
		t.Fatalf("offline tag resolves to %s, want %s", got, ag.index)
	}
	for _, platform := range []string{"linux/amd64", "linux/arm64"} {
		runOCI(t, crane, "pull", "--insecure", "--platform", platform, img+":v1", filepath.Join(t.TempDir(), "img.tar"))
		runOCI(t, crane, "validate", "--insecure", "--platform", platform, "--remote", img+"@"+ag.index)
	}
}

// checkTampered imports four damaged copies of the bundle into a fresh offline
// site: each is refused with its reason, and the site serves nothing of them.
func checkTampered(t *testing.T, ag airGap) {
	ms := readBundle(t, ag.bundle)
	if len(ms) < 4 || ms[0].Name != "manifest.json" || ms[1].Name != "manifest.sig" {
		t.Fatalf("unexpected bundle layout: %d members, first %q", len(ms), ms[0].Name)
	}
	last := len(ms) - 1
	flipped := append([]bundleMember(nil), ms...)
	b := bytes.Clone(flipped[last].Body)
	b[len(b)/2] ^= 0x01
	flipped[last].Body = b
	changed := append([]bundleMember{{ms[0].Name, bytes.Replace(ms[0].Body, []byte(`"mount":"npm"`), []byte(`"mount":"reg"`), 1)}}, ms[1:]...)
	cases := []struct {
		name, bundle, key, want string
	}{
		{"one flipped byte", writeBundleFile(t, flipped), ag.pub, "does not match its digest"},
		{"one missing blob", writeBundleFile(t, append(append([]bundleMember(nil), ms[:3]...), ms[4:]...)), ag.pub, "is missing"},
		{"a changed manifest", writeBundleFile(t, changed), ag.pub, "signature does not match"},
		{"a bad signature", ag.bundle, ag.otherPub, "signature does not match"},
	}
	site := startHoard(t, t.TempDir(), ag.offline...)
	for _, c := range cases {
		out, err := adminCmd(t, site, "import", "--verify-key", c.key, c.bundle)
		if err == nil || !strings.Contains(out, c.want) || !strings.Contains(out, "nothing was imported") {
			t.Errorf("%s: import %v, want a refusal saying %q:\n%s", c.name, err, c.want, out)
		}
		if n := cacheEntries(t, site); n != "0" {
			t.Errorf("%s: the refused bundle left %s entries", c.name, n)
		}
	}
	if s := statusOf(t, site.URL+"/npm/hoard-t-leaf-00"); s != 409 {
		t.Errorf("after refused imports a packument answers %d, want 409 not available offline", s)
	}
	// The untouched bundle, verified with the right key, passes as a dry run.
	if out, err := adminCmd(t, site, "import", "--dry-run", "--verify-key", ag.pub, ag.bundle); err != nil {
		t.Errorf("the untouched bundle: %v\n%s", err, out)
	}
}

// checkOCILayout exports the OCI mount as plain image layouts, which skopeo reads
// whole (the index by its tag, both platforms, every digest checked) and ORAS
// copies into a registry.
func checkOCILayout(t *testing.T, connected *hoardProc, index string) {
	skopeo := ociTool(t, "skopeo")
	dir := filepath.Join(t.TempDir(), "layouts")
	if out, err := adminCmd(t, connected, "export", "--oci-layout", dir); err != nil || !strings.Contains(out, "1 tags") {
		t.Fatalf("export --oci-layout: %v\n%s", err, out)
	}
	layout := "oci:" + filepath.Join(dir, "reg", "e2e", "multi") + ":v1"
	raw := runOCI(t, skopeo, "inspect", "--raw", layout)
	if got := "sha256:" + sha256Hex([]byte(raw)); got != index {
		t.Fatalf("the layout's v1 is %s, want %s", got, index)
	}
	runOCI(t, skopeo, "--insecure-policy", "copy", "--all", layout, "oci:"+t.TempDir()+":v1")

	oras := ociTool(t, "oras")
	layoutDir := filepath.Join(dir, "reg", "e2e", "multi")
	if got := runOCI(t, oras, "manifest", "fetch", "--oci-layout", layoutDir+":v1"); "sha256:"+sha256Hex([]byte(got)) != index {
		t.Fatalf("ORAS reads the layout's v1 as another manifest:\n%s", got)
	}
	reg := startRegistry(t, "")
	runOCI(t, oras, "cp", "--to-plain-http", "--from-oci-layout", layoutDir+":v1", reg.Addr+"/from-layout/multi:v1")
	if got := strings.TrimSpace(runOCI(t, ociTool(t, "crane"), "digest", "--insecure", reg.Addr+"/from-layout/multi:v1")); got != index {
		t.Fatalf("ORAS copied the layout as %s, want %s", got, index)
	}
}
