package main_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hoard/bench/npmreg"
)

// policyMinAge is short enough for a test to wait out once, long enough that an
// install started right after a publish falls well inside it.
const policyMinAge = 20 * time.Second

func policyConfig(upstream string, deny bool) string {
	global := ""
	if deny {
		global = "policy:\n  deny: [\"hoard-p-evil\"]\n"
	}
	return fmt.Sprintf(`data_dir: unused
%smounts:
  - name: npm
    format: npm
    upstream: %[2]s
    policy: {min_age: %[3]s}
  - name: exempt
    format: npm
    upstream: %[2]s
    policy: {min_age: %[3]s, min_age_exempt: ["hoard-p-*"]}
`, global, upstream, policyMinAge)
}

// npm resolves past a version younger than min_age, takes it when the package is
// exempt, fails on a denied package naming the rule; SIGHUP with a bad
// configuration keeps the policy in force, with a good one replaces it.
func TestNpmPolicyMinAgeDenyAndReload(t *testing.T) {
	requireNpmTools(t)
	v, token := startVerdaccio(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	publish := func(p npmreg.Package) {
		if err := npmreg.Publish(ctx, v.URL, token, p); err != nil {
			t.Fatal(err)
		}
	}
	publish(npmreg.Package{Name: "hoard-p-lib", Version: "1.0.0"})
	publish(npmreg.Package{Name: "hoard-p-evil", Version: "1.0.0"})
	cfgPath := filepath.Join(t.TempDir(), "hoard.yaml")
	writeConfig := func(body string) {
		if err := os.WriteFile(cfgPath, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeConfig(policyConfig(v.URL, true))
	h := startHoard(t, t.TempDir(), "--config", cfgPath)
	time.Sleep(policyMinAge + time.Second)
	publish(npmreg.Package{Name: "hoard-p-lib", Version: "1.1.0"})

	project := writeProject(t, map[string]string{"hoard-p-lib": "^1.0.0"})
	if _, err := newNpmClient(t, h.URL+"/npm/", "").install(project, "npm"); err != nil {
		t.Fatal(err)
	}
	if got := installed(t, project, "hoard-p-"); !got["hoard-p-lib@1.0.0"] {
		t.Errorf("with min_age, npm installed %v, want hoard-p-lib@1.0.0", keys(got))
	}
	// pnpm reads the abbreviated document.
	if _, err := newNpmClient(t, h.URL+"/npm/", "").install(project, "pnpm"); err != nil {
		t.Fatal(err)
	}
	if got := installed(t, project, "hoard-p-"); !got["hoard-p-lib@1.0.0"] {
		t.Errorf("with min_age, pnpm installed %v, want hoard-p-lib@1.0.0", keys(got))
	}
	if _, err := newNpmClient(t, h.URL+"/exempt/", "").install(project, "npm"); err != nil {
		t.Fatal(err)
	}
	if got := installed(t, project, "hoard-p-"); !got["hoard-p-lib@1.1.0"] {
		t.Errorf("exempt from min_age, npm installed %v, want hoard-p-lib@1.1.0", keys(got))
	}

	// A lockfile naming the young version still gets no tarball.
	if code := policyStatus(t, h.URL+"/npm/hoard-p-lib/-/hoard-p-lib-1.1.0.tgz"); code != http.StatusForbidden {
		t.Errorf("direct download of a version younger than min_age: status %d, want 403", code)
	}

	evil := writeProject(t, map[string]string{"hoard-p-evil": "^1.0.0"})
	out, err := newNpmClient(t, h.URL+"/npm/", "").install(evil, "npm")
	if err == nil || !strings.Contains(out, "403") || !strings.Contains(out, "deny hoard-p-evil") {
		t.Errorf("a denied package: err %v, output naming the rule wanted:\n%s", err, lastLines(out, 20))
	}

	// Reload: a bad configuration is refused and logged, the deny stays.
	writeConfig(policyConfig(v.URL, true) + "    policy: {deny: [\"[\"]}\n")
	hangup(t, h)
	waitPolicyLog(t, h, "reload refused")
	if code := policyStatus(t, h.URL+"/npm/hoard-p-evil"); code != http.StatusForbidden {
		t.Errorf("after a refused reload: status %d, want 403", code)
	}
	writeConfig(policyConfig(v.URL, false))
	hangup(t, h)
	waitPolicyLog(t, h, "policies from the configuration are in force")
	if code := policyStatus(t, h.URL+"/npm/hoard-p-evil"); code != http.StatusOK {
		t.Errorf("after a reload without the deny: status %d, want 200", code)
	}
}

func hangup(t *testing.T, h *hoardProc) {
	t.Helper()
	if err := h.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
}

// waitLog waits (a bounded while) until the daemon's log holds want.
func waitPolicyLog(t *testing.T, h *hoardProc, want string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if b, _ := os.ReadFile(h.LogPath); strings.Contains(string(b), want) {
			return
		}
	}
	t.Fatalf("the log never said %q", want)
}

func policyStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
