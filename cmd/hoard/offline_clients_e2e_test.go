package main_test

// Offline, a request for something not cached must end each client's attempt at once:
// no client may retry it (npm retried a 504 for about 70 s), and each must be told
// the content is not available offline. Hoard's access log shows how many times each
// client asked.

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// requestsByPath counts the access lines of a stopped hoard by path, for paths
// under prefix, and the statuses it answered them with.
func requestsByPath(t *testing.T, h *hoardProc, prefix string) (map[string]int, map[int]int) {
	t.Helper()
	f, err := os.Open(h.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	paths, statuses := map[string]int{}, map[int]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct {
			Message, Path string
			Status        int
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Message != "request" || !strings.HasPrefix(line.Path, prefix) {
			continue
		}
		paths[line.Path]++
		statuses[line.Status]++
	}
	return paths, statuses
}

// checkAskedOnce fails unless the client asked at least once, never twice for the
// same path, and got only the not-available status.
func checkAskedOnce(t *testing.T, client string, h *hoardProc, prefix string) {
	t.Helper()
	h.Stop() // flushes the access lines
	paths, statuses := requestsByPath(t, h, prefix)
	if len(paths) == 0 {
		t.Fatalf("%s sent hoard nothing under %s", client, prefix)
	}
	for p, n := range paths {
		if n > 1 {
			t.Errorf("%s asked for %s %d times: it retried the offline answer", client, p, n)
		}
	}
	for s, n := range statuses {
		if s != 409 {
			t.Errorf("%s got %d answers with status %d, want only 409", client, n, s)
		}
	}
}

func offlineHoard(t *testing.T, mount string) *hoardProc {
	t.Helper()
	return startHoard(t, t.TempDir(), "--offline", "--mount", mount)
}

func TestOfflineMissFailsFastNpm(t *testing.T) {
	requireNpmTools(t)
	h := offlineHoard(t, "npm=npm,http://127.0.0.1:9/")
	c := newNpmClient(t, h.URL+"/npm/", "")
	project := writeProject(t, map[string]string{"hoard-not-cached": "^1.0.0"})
	out, err := c.install(project, "npm")
	if err == nil {
		t.Fatalf("npm installed a package an empty offline cache cannot have:\n%s", out)
	}
	if !strings.Contains(out, "409") || !strings.Contains(out, "not available offline") {
		t.Errorf("npm's output does not say the package is not available offline:\n%s", out)
	}
	checkAskedOnce(t, "npm", h, "/npm/")
}

func TestOfflineMissFailsFastMaven(t *testing.T) {
	requireMaven(t)
	h := offlineHoard(t, "maven=maven,http://127.0.0.1:9/repo")
	err := mvn(t, copyProject(t), mavenSettings(t, h.URL, ""), "compile")
	if err == nil {
		t.Fatal("mvn compiled with an empty offline cache")
	}
	if !strings.Contains(err.Error(), "409") {
		t.Errorf("mvn's output does not show the 409:\n%v", err)
	}
	checkAskedOnce(t, "mvn", h, "/maven/")
}

func TestOfflineMissFailsFastCrane(t *testing.T) {
	needE2E(t)
	crane := ociTool(t, "crane")
	h := offlineHoard(t, "ghcr=oci,http://127.0.0.1:9")
	ref := hostOf(h.URL) + "/ghcr/library/not-cached:1.0"
	out, err := runOCIErr(t, crane, "manifest", "--insecure", ref)
	if err == nil {
		t.Fatalf("crane got a manifest an empty offline cache cannot have:\n%s", out)
	}
	if !strings.Contains(err.Error(), "not available offline") {
		t.Errorf("crane's error does not say not available offline:\n%v", err)
	}
	checkAskedOnce(t, "crane", h, "/v2/ghcr/")
}
