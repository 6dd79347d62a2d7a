package main_test

import (
	"bufio"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// realTree is a dependency tree of the size and kind real projects install: several
// of the largest packuments there are (next, typescript, @types/node, react).
var realTree = map[string]string{
	"react": "^18", "react-dom": "^18", "next": "^14", "typescript": "^5", "@types/node": "^20",
	"express": "^4", "lodash": "^4", "webpack": "^5", "eslint": "^8", "mocha": "^10",
}

// TestNpmRealRegistry installs a real public tree through hoard in front of the
// registry npm is configured with on this machine, cold and then warm with fresh
// client caches, and checks every tarball hoard serves against the lockfile's
// integrity. It is opt-in (HOARD_REAL_REGISTRY=1): it needs that registry reachable.
func TestNpmRealRegistry(t *testing.T) {
	if os.Getenv("HOARD_REAL_REGISTRY") != "1" {
		t.Skip("set HOARD_REAL_REGISTRY=1 to install a real tree from the configured npm registry")
	}
	requireNpmTools(t)
	out, err := exec.Command("npm", "config", "get", "registry").Output()
	if err != nil {
		t.Fatalf("npm config get registry: %v", err)
	}
	registry := strings.TrimSuffix(strings.TrimSpace(string(out)), "/")

	direct := newNpmClient(t, registry, "")
	project := writeProject(t, realTree)
	start := time.Now()
	if _, err := direct.run(project, "npm", "install", "--no-audit", "--no-fund", "--ignore-scripts"); err != nil {
		t.Fatal(err)
	}
	directTime := time.Since(start)
	want := lockedPackages(t, project)
	t.Logf("direct: %d packages in %v", len(want), directTime.Round(time.Millisecond))
	if len(want) < 300 {
		t.Fatalf("the tree has only %d packages", len(want))
	}

	cfg := filepath.Join(t.TempDir(), "hoard.yaml")
	yaml := fmt.Sprintf("data_dir: unused\nmounts:\n  - name: npm\n    format: npm\n    upstream: %s\n    ttl: {packument: 1h}\n", registry)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	h := startHoard(t, t.TempDir(), "--config", cfg, "--log-level", "info")
	asked := map[string]bool{} // every path the cold install asked for
	for _, phase := range []string{"cold", "warm"} {
		logStart := fileSize(h.LogPath)
		c := newNpmClient(t, h.URL+"/npm/", "")
		p := writeProject(t, realTree)
		start := time.Now()
		if _, err := c.run(p, "npm", "install", "--no-audit", "--no-fund", "--ignore-scripts"); err != nil {
			t.Fatalf("%s: %v", phase, err)
		}
		took := time.Since(start)
		got := lockedPackages(t, p)
		results, paths := cacheResults(t, h.LogPath, logStart)
		t.Logf("through hoard, %s: %d packages in %v (direct %v); hoard answered %v",
			phase, len(got), took.Round(time.Millisecond), directTime.Round(time.Millisecond), results)
		checkTarballs(t, got, h.URL+"/npm/")
		if len(got) != len(want) {
			t.Errorf("%s: %d packages locked, %d directly", phase, len(got), len(want))
		}
		for path, pkg := range want {
			if got[path].Integrity != pkg.Integrity {
				t.Errorf("%s: %s integrity %q, directly %q", phase, path, got[path].Integrity, pkg.Integrity)
			}
		}
		for path, result := range paths {
			if phase == "cold" {
				asked[path] = true
			} else if result == "miss" && asked[path] {
				// npm may ask for something new (another platform's optional
				// package); what the cold install fetched must be a hit now.
				t.Errorf("warm install: %s missed again", path)
			}
		}
	}
}

type lockedPackage struct {
	Version   string `json:"version"`
	Resolved  string `json:"resolved"`
	Integrity string `json:"integrity"`
}

// lockedPackages reads package-lock.json's installed packages by path.
func lockedPackages(t *testing.T, project string) map[string]lockedPackage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(project, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Packages map[string]lockedPackage `json:"packages"`
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		t.Fatal(err)
	}
	delete(lock.Packages, "")
	for path, p := range lock.Packages {
		if p.Resolved == "" { // links and the root
			delete(lock.Packages, path)
		}
	}
	return lock.Packages
}

// checkTarballs fetches every locked tarball from hoard and checks it against its
// locked sha512 integrity; every resolved URL must point at hoard.
func checkTarballs(t *testing.T, pkgs map[string]lockedPackage, base string) {
	t.Helper()
	client := &http.Client{Timeout: time.Minute}
	for path, p := range pkgs {
		if !strings.HasPrefix(p.Resolved, base) {
			t.Errorf("%s resolved at %s, not through hoard", path, p.Resolved)
			continue
		}
		algo, want, _ := strings.Cut(p.Integrity, "-")
		if algo != "sha512" {
			t.Errorf("%s: integrity %q is not sha512", path, p.Integrity)
			continue
		}
		resp, err := client.Get(p.Resolved)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		h := sha512.New()
		_, err = io.Copy(h, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %v", path, resp.StatusCode, err)
			continue
		}
		if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != want {
			t.Errorf("%s: served tarball does not match the lockfile's integrity", path)
		}
	}
}

// cacheResults counts hoard's access lines by X-Hoard-Cache result, from offset on,
// and gives the last result of each request line.
func cacheResults(t *testing.T, logPath string, offset int64) (map[string]int, map[string]string) {
	t.Helper()
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	out, paths := map[string]int{}, map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct{ Message, Mount, Result, Method, Path string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "request" && line.Mount == "npm" {
			out[line.Result]++
			paths[line.Method+" "+line.Path] = line.Result
		}
	}
	return out, paths
}

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}
