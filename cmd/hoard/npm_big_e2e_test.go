package main_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hoard/bench/npmreg"
)

// bigRegistry is bench/cmd/npmbig running as its own process: generating a 21 MB
// packument takes a second natively and most of a minute under the race detector.
type bigRegistry struct {
	URL string
	cmd *exec.Cmd
}

var (
	npmbigOnce sync.Once
	npmbigBin  string
	npmbigErr  error
)

// startBigRegistry builds (once, without -race) and starts bench/cmd/npmbig on a
// free loopback port; it is stopped at test end.
func startBigRegistry(t *testing.T, args ...string) *bigRegistry {
	t.Helper()
	npmbigOnce.Do(func() {
		npmbigBin = filepath.Join(binDir, "npmbig")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", npmbigBin, "hoard/bench/cmd/npmbig").CombinedOutput()
		if err != nil {
			npmbigErr = fmt.Errorf("go build npmbig: %v\n%s", err, out)
		}
	})
	if npmbigErr != nil {
		t.Fatal(npmbigErr)
	}
	addr := freeAddr(t)
	logf, err := os.Create(filepath.Join(t.TempDir(), "npmbig.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(npmbigBin, append([]string{"-listen", addr}, args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &bigRegistry{URL: "http://" + addr, cmd: cmd}
	t.Cleanup(func() { r.Stop(); logf.Close() })
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := r.requests(""); err == nil {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("npmbig not ready: %s", tail(logf.Name(), 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop ends the registry process (by its PID) and waits for it.
func (r *bigRegistry) Stop() {
	if r.cmd.ProcessState == nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
	}
}

// requests is how many requests the registry answered, for one escaped path or all.
func (r *bigRegistry) requests(path string) (int, error) {
	resp, err := http.Get(r.URL + "/-/requests?path=" + path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

func (r *bigRegistry) mustRequests(t *testing.T, path string) int {
	t.Helper()
	n, err := r.requests(path)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNpmBigPackumentsE2E: a tree whose packuments are real-sized (21 MB with 3,000
// versions, and a scoped one of 300) installs through hoard with npm, pnpm and yarn:
// cold, warm (each tarball fetched upstream once), and offline with the upstream gone.
func TestNpmBigPackumentsE2E(t *testing.T) {
	requireNpmTools(t)
	reg := startBigRegistry(t)
	cfg := filepath.Join(t.TempDir(), "hoard.yaml")
	yaml := fmt.Sprintf("data_dir: unused\nmounts:\n  - name: npm\n    format: npm\n    upstream: %s\n    ttl: {packument: 1h}\n", reg.URL)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	h := startHoard(t, dataDir, "--config", cfg)

	deps := map[string]string{"big": "^3.0.0", "@scope/wide": "^1.0.0"}
	want := []string{"big@" + npmreg.Version(2999), "@scope/wide@" + npmreg.Version(299), "small@" + npmreg.Version(2)}
	latest := "/big/-/big-" + npmreg.Version(2999) + ".tgz"
	for i, client := range []string{"npm", "pnpm", "yarn"} {
		c := newNpmClient(t, h.URL+"/npm/", "")
		project := writeProject(t, deps)
		if _, err := c.install(project, client); err != nil {
			t.Fatalf("%s install (%s): %v", client, map[bool]string{true: "cold", false: "warm"}[i == 0], err)
		}
		assertInstalled(t, client, project, want)
		if n := reg.mustRequests(t, latest); n != 1 {
			t.Errorf("after %s: the upstream served %s %d times, want once", client, latest, n)
		}
	}

	// Offline: the upstream is gone, and hoard restarts on the same cache and address
	// (the public URL its packuments point at).
	h.Stop()
	reg.Stop()
	off := startHoardOn(t, strings.TrimPrefix(h.URL, "http://"), dataDir, "--config", cfg, "--offline")
	for _, client := range []string{"npm", "pnpm", "yarn"} {
		c := newNpmClient(t, off.URL+"/npm/", "")
		project := writeProject(t, deps)
		if _, err := c.install(project, client); err != nil {
			t.Fatalf("%s install offline: %v", client, err)
		}
		assertInstalled(t, client+" offline", project, want)
	}
}

func assertInstalled(t *testing.T, what, project string, want []string) {
	t.Helper()
	got := installed(t, project, "big", "@scope/", "small")
	for _, w := range want {
		if !got[w] {
			t.Errorf("%s: %s not installed; got %v", what, w, got)
		}
	}
}
