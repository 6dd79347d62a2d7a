package main_test

// Helpers for the npm end-to-end tests: Verdaccio as the upstream (installed by
// .ci/install-npm), a counting proxy in front of it, hoard configured with an npm
// mount, and the real npm, pnpm and yarn clients run in isolated homes.

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/npmreg"
)

const npmClientTimeout = 5 * time.Minute

// requireNpmTools skips (or, in CI, fails) unless node, npm and the tools
// .ci/install-npm installs are present.
func requireNpmTools(t *testing.T) {
	t.Helper()
	needE2E(t)
	requireTools(t, "node", "npm")
	for _, tool := range []string{"pnpm", "yarn", "verdaccio"} {
		if _, err := os.Stat(filepath.Join(npmreg.ToolsBin(), tool)); err != nil {
			missing(t, "%s is not installed in %s (run .ci/install-npm)", tool, npmreg.ToolsBin())
		}
	}
}

// npmTool finds a client: pnpm and yarn where .ci/install-npm put them, npm and
// node on PATH.
func npmTool(name string) string {
	if name == "pnpm" || name == "yarn" {
		return filepath.Join(npmreg.ToolsBin(), name)
	}
	return name
}

// startVerdaccio runs a Verdaccio with no uplinks and its storage in a temp dir, and
// creates a user whose token it returns. It is stopped when the test ends.
func startVerdaccio(t *testing.T) (*npmreg.Verdaccio, string) {
	t.Helper()
	v, err := npmreg.StartVerdaccio(filepath.Join(npmreg.ToolsBin(), "verdaccio"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("verdaccio %s (pid %d, log %s)", v.URL, v.Pid(), v.LogPath)
	t.Cleanup(func() {
		v.Stop()
		if t.Failed() {
			b, _ := os.ReadFile(v.LogPath)
			t.Logf("--- verdaccio log ---\n%s", lastLines(string(b), 40))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	token, err := npmreg.AddUser(ctx, v.URL, "seeder", "seeder-secret")
	if err != nil {
		t.Fatal(err)
	}
	return v, token
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// startCounter puts a counting proxy in front of target until the test ends.
func startCounter(t *testing.T, target string) *npmreg.Counter {
	t.Helper()
	c, err := npmreg.StartCounter(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// startNpmHoard runs hoard with one npm mount named "npm" and the given upstreams
// block (YAML, indented for the mount), packuments fresh for an hour.
func startNpmHoard(t *testing.T, upstreams string) *hoardProc {
	t.Helper()
	cfg := fmt.Sprintf(`data_dir: unused
cache: {negative_ttl: 1m}
mounts:
  - name: npm
    format: npm
    ttl: {packument: 1h}
%s
`, upstreams)
	path := filepath.Join(t.TempDir(), "hoard.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return startHoard(t, t.TempDir(), "--config", path)
}

// npmClient is an isolated home for the npm clients: its own .npmrc, caches and
// stores, so nothing from the machine's configuration or earlier runs leaks in.
type npmClient struct {
	t        *testing.T
	home     string
	registry string // hoard's mount URL, with a trailing slash
}

// newNpmClient makes a fresh home whose clients use registry, with token (if any)
// for it.
func newNpmClient(t *testing.T, registry, token string) *npmClient {
	t.Helper()
	c := &npmClient{t: t, home: t.TempDir(), registry: strings.TrimSuffix(registry, "/") + "/"}
	rc := "registry=" + c.registry + "\naudit=false\nfund=false\nupdate-notifier=false\n" +
		"cache=" + filepath.Join(c.home, "npm-cache") + "\n"
	if token != "" {
		rc += "//" + strings.TrimPrefix(c.registry, "http://") + ":_authToken=" + token + "\n"
	}
	yarnrc := fmt.Sprintf("registry %q\ndisable-self-update-check true\n", c.registry)
	for name, body := range map[string]string{".npmrc": rc, ".yarnrc": yarnrc} {
		if err := os.WriteFile(filepath.Join(c.home, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// env is the clients' environment: the machine's, less any npm, yarn or pnpm
// settings, with HOME pointing at the isolated home.
func (c *npmClient) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		k := strings.ToLower(strings.SplitN(kv, "=", 2)[0])
		if strings.HasPrefix(k, "npm_") || strings.HasPrefix(k, "yarn_") || strings.HasPrefix(k, "pnpm_") || k == "home" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+c.home, "XDG_CACHE_HOME="+filepath.Join(c.home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(c.home, ".local"), "XDG_CONFIG_HOME="+filepath.Join(c.home, ".config"))
}

// run runs one client in dir and returns its combined output; a failure carries the
// output's tail.
func (c *npmClient) run(dir, name string, args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), npmClientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npmTool(name), args...)
	cmd.Dir, cmd.Env = dir, c.env()
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	c.t.Logf("%s %s: %v in %v", name, strings.Join(args, " "), errOrOK(err), time.Since(start).Round(time.Millisecond))
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n--- output ---\n%s", name, strings.Join(args, " "), err, lastLines(string(out), 60))
	}
	return string(out), nil
}

// install runs a full install of project with one client, from an empty client
// cache and without a lockfile.
func (c *npmClient) install(project, client string) (string, error) {
	c.t.Helper()
	for _, f := range []string{"node_modules", "package-lock.json", "pnpm-lock.yaml", "yarn.lock"} {
		os.RemoveAll(filepath.Join(project, f))
	}
	switch client {
	case "npm":
		return c.run(project, "npm", "install", "--no-audit", "--no-fund", "--loglevel=http")
	case "pnpm":
		return c.run(project, "pnpm", "install", "--no-frozen-lockfile", "--reporter=append-only",
			"--store-dir", filepath.Join(c.home, "pnpm-store"), "--cache-dir", filepath.Join(c.home, "pnpm-cache"))
	case "yarn":
		return c.run(project, "yarn", "install", "--non-interactive", "--no-lockfile",
			"--cache-folder", filepath.Join(c.home, "yarn-cache"))
	}
	c.t.Fatalf("unknown client %s", client)
	return "", nil
}

// writeProject writes a package.json with deps into a new directory.
func writeProject(t *testing.T, deps map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	b, _ := json.MarshalIndent(map[string]any{"name": "hoard-npm-e2e-app", "version": "1.0.0", "private": true, "dependencies": deps}, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "package.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// installed walks node_modules without following symlinks (pnpm links its tree
// out of .pnpm) and returns every name@version whose name has one of prefixes.
func installed(t *testing.T, project string, prefixes ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	root := filepath.Join(project, "node_modules")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "package.json" {
			return err
		}
		var m struct{ Name, Version string }
		b, err := os.ReadFile(p)
		if err != nil || json.Unmarshal(b, &m) != nil {
			return nil
		}
		for _, pre := range prefixes {
			if strings.HasPrefix(m.Name, pre) && strings.HasSuffix(filepath.Dir(p), filepath.FromSlash(m.Name)) {
				out[m.Name+"@"+m.Version] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", root, err)
	}
	return out
}
