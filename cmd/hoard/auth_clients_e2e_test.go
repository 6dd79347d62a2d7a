package main_test

// The real clients in the scope matrix: npm and crane read and publish through hoard
// (--auth upstream, in front of the fake GitHub) with a read-only and a write token,
// and are refused without a token or with one GitHub does not know.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/fakegithub"
)

func TestAuthClientsNpm(t *testing.T) {
	needE2E(t)
	requireTools(t, "node", "npm")
	e := newAuthEnv(t)
	seedMatrix(e)
	h := e.start(hoardConfig{})
	registry := h.URL + "/npm/"
	run := func(c cred, dir, name string, args ...string) (string, error) {
		t.Helper()
		out, err := newNpmClient(t, registry, c.tok).run(dir, name, args...)
		e.guard.saw(name+" "+strings.Join(args, " ")+" as "+c.role, []byte(out))
		return out, err
	}
	install := func(c cred) (string, error) {
		t.Helper()
		project := writeProject(t, map[string]string{"@acme/lib": "^1.0.0"})
		if out, err := run(c, project, "npm", "install", "--no-audit", "--no-fund"); err != nil {
			return out, err
		}
		return run(c, project, "node", "-p", `require("@acme/lib")`)
	}
	for _, role := range []string{"read", "write"} {
		if out, err := install(e.creds[role]); err != nil || strings.TrimSpace(out) != "@acme/lib@1.0.0" {
			t.Errorf("npm install of a private package with the %s token: %v\n%s", role, err, out)
		}
	}
	for _, role := range []string{"none", "unknown"} {
		out, err := install(e.creds[role])
		if err == nil || !strings.Contains(out, "E401") {
			t.Errorf("npm install with %s token: want E401, got %v\n%s", role, err, out)
		}
	}

	pkg := t.TempDir()
	writePackage(t, pkg, "@acme/fresh", "1.0.0")
	writes := e.gh.Writes(fakegithub.Npm)
	out, err := run(e.creds["read"], pkg, "npm", "publish")
	if err == nil || !strings.Contains(out, "E403") {
		t.Errorf("npm publish with a read-only token: want E403, got %v\n%s", err, out)
	}
	if n := e.gh.Writes(fakegithub.Npm) - writes; n != 0 {
		t.Errorf("a refused npm publish sent %d writes upstream", n)
	}
	if out, err := run(e.creds["write"], pkg, "npm", "publish"); err != nil {
		t.Fatalf("npm publish with a write token: %v\n%s", err, out)
	}
	if !contains(e.gh.NpmVersions("@acme/fresh"), "1.0.0") {
		t.Fatalf("npm publish succeeded but GitHub has no @acme/fresh@1.0.0")
	}
	project := writeProject(t, map[string]string{"@acme/fresh": "1.0.0"})
	if out, err := run(e.creds["read"], project, "npm", "install", "--no-audit", "--no-fund"); err != nil {
		t.Errorf("installing what the write token published, with the read token: %v\n%s", err, out)
	}
}

func TestAuthClientsCrane(t *testing.T) {
	needE2E(t)
	crane := ociTool(t, "crane")
	e := newAuthEnv(t)
	seedMatrix(e)
	h := e.start(hoardConfig{})
	repo := hostOf(h.URL) + "/ghcr/acme/app"
	run := func(c cred, args ...string) (string, error) {
		t.Helper()
		out, err := craneAs(t, crane, hostOf(h.URL), c, append([]string{"--insecure"}, args...)...)
		e.guard.saw("crane "+strings.Join(args, " ")+" as "+c.role, []byte(out))
		return out, err
	}
	for _, role := range []string{"read", "write"} {
		if out, err := run(e.creds[role], "pull", repo+":v1", filepath.Join(t.TempDir(), "img.tar")); err != nil {
			t.Errorf("crane pull of a private image with the %s token: %v\n%s", role, err, out)
		}
	}
	for _, role := range []string{"none", "unknown"} {
		if out, err := run(e.creds[role], "pull", repo+":v1", filepath.Join(t.TempDir(), "img.tar")); err == nil || !strings.Contains(out, "UNAUTHORIZED") {
			t.Errorf("crane pull with %s token: want UNAUTHORIZED, got %v\n%s", role, err, out)
		}
	}
	layer := randomTar(t, 64<<10)
	writes := e.gh.Writes(fakegithub.Ghcr)
	if out, err := run(e.creds["read"], "append", "-f", layer, "-t", repo+":by-read"); err == nil || !strings.Contains(out, "DENIED") {
		t.Errorf("crane push with a read-only token: want DENIED, got %v\n%s", err, out)
	}
	if n := e.gh.Writes(fakegithub.Ghcr) - writes; n != 0 {
		t.Errorf("a refused push sent %d writes upstream", n)
	}
	if out, err := run(e.creds["write"], "append", "-f", layer, "-t", repo+":by-write"); err != nil {
		t.Fatalf("crane push with a write token: %v\n%s", err, out)
	}
	pushed := e.gh.Tag("acme/app", "by-write")
	if pushed == "" {
		t.Fatalf("crane push succeeded but GitHub has no acme/app:by-write")
	}
	if out, err := run(e.creds["read"], "digest", repo+":by-write"); err != nil || strings.TrimSpace(out) != pushed {
		t.Errorf("crane digest of the pushed image with the read token: %q, want %s (%v)", out, pushed, err)
	}
	if n := e.gh.StorageAuthorized(); n != 0 {
		t.Errorf("%d requests to blob storage (another host) carried credentials", n)
	}
}

// craneAs runs crane with a Docker config that holds c's credentials for hoard's
// host (none for a caller without a token), and returns its combined output.
func craneAs(t *testing.T, crane, host string, c cred, args ...string) (string, error) {
	t.Helper()
	cfgDir := t.TempDir()
	auths := map[string]any{}
	if c.tok != "" {
		auths[host] = map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(c.login + ":" + c.tok))}
	}
	b, _ := json.Marshal(map[string]any{"auths": auths})
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, crane, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "DOCKER_CONFIG="+cfgDir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	t.Logf("crane %s as %s: %v in %v", strings.Join(args, " "), c.role, errOrOK(err), time.Since(start).Round(time.Millisecond))
	if err != nil {
		return out.String(), fmt.Errorf("%w", err)
	}
	return out.String(), nil
}
