package main_test

// Helpers for the air-gap tests: lockfiles written by the real clients, a Maven
// coordinate list from a real build, and bundles taken apart and put back together
// to tamper with.

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// npmLockfiles writes package-lock.json, pnpm-lock.yaml and yarn.lock for deps,
// each resolved by its own client against registry (so their resolved URLs name
// that registry, not the mirror that warms them), and returns their paths and the
// npm project that holds package-lock.json.
func npmLockfiles(t *testing.T, registry string, deps map[string]string) (files []string, npmProject string) {
	t.Helper()
	c := newNpmClient(t, registry, "")
	npmProject = writeProject(t, deps)
	if _, err := c.run(npmProject, "npm", "install", "--package-lock-only", "--no-audit", "--no-fund"); err != nil {
		t.Fatal(err)
	}
	pnpmProject := writeProject(t, deps)
	if _, err := c.run(pnpmProject, "pnpm", "install", "--lockfile-only", "--reporter=append-only",
		"--store-dir", filepath.Join(c.home, "pnpm-store"), "--cache-dir", filepath.Join(c.home, "pnpm-cache")); err != nil {
		t.Fatal(err)
	}
	yarnProject := writeProject(t, deps)
	if _, err := c.run(yarnProject, "yarn", "install", "--non-interactive", "--cache-folder", filepath.Join(c.home, "yarn-cache")); err != nil {
		t.Fatal(err)
	}
	return []string{filepath.Join(npmProject, "package-lock.json"), filepath.Join(pnpmProject, "pnpm-lock.yaml"),
		filepath.Join(yarnProject, "yarn.lock")}, npmProject
}

// mavenList builds the hello project straight from the origin (no hoard) with a
// fresh local repository and lists every POM and jar it downloaded, as a site
// would list what its builds need: jars the way `mvn dependency:list` prints them,
// POMs as group:artifact:version:pom.
func mavenList(t *testing.T, originURL string) string {
	t.Helper()
	settings := filepath.Join(t.TempDir(), "settings.xml")
	xml := fmt.Sprintf("<settings><mirrors><mirror><id>o</id><mirrorOf>*</mirrorOf><url>%s</url></mirror></mirrors></settings>", originURL)
	if err := os.WriteFile(settings, []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(t.TempDir(), "m2")
	err := runTool(t, mvnTimeout, copyProject(t), filepath.Join(t.TempDir(), "mvn.log"), nil, "mvn",
		"-B", "-ntp", "-s", settings, "-Dmaven.repo.local="+local, "package")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	err = filepath.WalkDir(local, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(local, p)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) < 4 {
			return nil
		}
		file, version, artifact := parts[len(parts)-1], parts[len(parts)-2], parts[len(parts)-3]
		group := strings.Join(parts[:len(parts)-3], ".")
		base := artifact + "-" + version
		switch {
		case file == base+".pom":
			lines = append(lines, fmt.Sprintf("%s:%s:%s:pom", group, artifact, version))
		case file == base+".jar":
			lines = append(lines, fmt.Sprintf("[INFO]    %s:%s:jar:%s:compile", group, artifact, version))
		case strings.HasPrefix(file, base+"-") && strings.HasSuffix(file, ".jar"):
			classifier := strings.TrimSuffix(strings.TrimPrefix(file, base+"-"), ".jar")
			lines = append(lines, fmt.Sprintf("[INFO]    %s:%s:jar:%s:%s:compile", group, artifact, classifier, version))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	if len(lines) < 20 {
		t.Fatalf("the build downloaded only %d files: %v", len(lines), lines)
	}
	path := filepath.Join(t.TempDir(), "maven-deps.txt")
	body := "[INFO] The following files have been resolved:\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// bundleMember is one member of a bundle's tar.
type bundleMember struct {
	Name string
	Body []byte
}

func readBundle(t *testing.T, path string) []bundleMember {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []bundleMember
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, bundleMember{h.Name, b})
	}
}

func writeBundleFile(t *testing.T, ms []bundleMember) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range ms {
		if err := tw.WriteHeader(&tar.Header{Name: m.Name, Mode: 0o644, Size: int64(len(m.Body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(m.Body)
	}
	tw.Close()
	path := filepath.Join(t.TempDir(), "tampered.tar")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// cacheEntries reads hoard_cache_entries from a daemon's /metrics.
func cacheEntries(t *testing.T, h *hoardProc) string {
	t.Helper()
	resp, err := http.Get(h.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, ln := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(ln, "hoard_cache_entries "); ok {
			return v
		}
	}
	t.Fatalf("no hoard_cache_entries in /metrics")
	return ""
}

// statusOf GETs a URL and returns its status.
func statusOf(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
