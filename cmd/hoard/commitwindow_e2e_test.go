package main_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hoard/bench/origin"
)

// TestKilledBetweenLastByteAndCommit: a client has every verified byte before
// the fill's commit (fsync, rename, index write) has run. Hoard is held in that
// window (HOARD_TEST_COMMIT_PAUSE), asked again there, then SIGKILLed. In the
// window a second request is served whole without a second upstream GET; after
// the restart nothing of it is indexed (the next GET is a miss that asks the
// origin again, and gets every byte), no temp file is left, and the index
// matches the blobs.
func TestKilledBetweenLastByteAndCommit(t *testing.T) {
	needE2E(t)
	files := map[string][]byte{
		"com/acme/held/1.0/held-1.0.jar": make([]byte, 3<<20),                                          // streamed
		"com/acme/held/1.0/held-1.0.pom": []byte("<project><artifactId>held</artifactId></project>\n"), // read whole
	}
	root := t.TempDir()
	for rel, body := range files {
		if len(body) > 1<<20 {
			rand.NewChaCha8([32]byte{'w', 'i', 'n', 'd', 'o', 'w'}).Read(body)
		}
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, rel), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := origin.New(origin.Options{Root: root, Checksums: true})
	up := startUpstream(t, http.StripPrefix(originBase, o))
	data := t.TempDir()
	pause := filepath.Join(t.TempDir(), "pause")
	if err := os.WriteFile(pause, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOARD_TEST_COMMIT_PAUSE", pause)
	h := startHoard(t, data, mavenMount(up)...)
	os.Unsetenv("HOARD_TEST_COMMIT_PAUSE") // the restart below runs without it
	client := &http.Client{Timeout: time.Minute}

	for rel, body := range files {
		r := getWindow(t, client, h.URL+"/maven/"+rel)
		if r.err != nil || r.status != http.StatusOK || !bytes.Equal(r.body, body) {
			t.Fatalf("GET %s before the commit: %d, %d bytes, %v", rel, r.status, len(r.body), r.err)
		}
	}
	var keys []string
	for rel := range files {
		keys = append(keys, "maven/"+rel)
	}
	waitReached(t, pause+".reached", keys)
	for rel, body := range files {
		r := getWindow(t, client, h.URL+"/maven/"+rel)
		if r.err != nil || r.status != http.StatusOK || !bytes.Equal(r.body, body) {
			t.Fatalf("GET %s in the window: %d, %d bytes, %v", rel, r.status, len(r.body), r.err)
		}
		if n := o.RequestsFor("/" + rel); n != 1 {
			t.Errorf("%s: %d upstream requests by the end of the window, want 1", rel, n)
		}
	}
	h.Kill()

	h = startHoard(t, data, mavenMount(up)...)
	if left := readDir(t, filepath.Join(data, "tmp")); len(left) > 0 {
		t.Errorf("data dir tmp not emptied at start: %v", left)
	}
	for rel, body := range files {
		r := getWindow(t, client, h.URL+"/maven/"+rel)
		if r.err != nil || r.status != http.StatusOK || !bytes.Equal(r.body, body) {
			t.Fatalf("GET %s after the restart: %d, %d bytes, %v", rel, r.status, len(r.body), r.err)
		}
		if got := r.header.Get("X-Hoard-Cache"); got != "miss" {
			t.Errorf("GET %s after the restart: X-Hoard-Cache %q, want miss (nothing indexed)", rel, got)
		}
		if n := o.RequestsFor("/" + rel); n != 2 {
			t.Errorf("%s: %d upstream requests after the restart, want 2", rel, n)
		}
	}
	h.Stop()
	checkIndexMatchesBlobs(t, data)
}

type windowReply struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func getWindow(t *testing.T, c *http.Client, url string) windowReply {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return windowReply{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return windowReply{resp.StatusCode, resp.Header, body, err}
}

// waitReached waits until the fills of keys have reached their commits and are
// held there.
func waitReached(t *testing.T, path string, keys []string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		b, _ := os.ReadFile(path)
		held := strings.Fields(string(b))
		if !slices.ContainsFunc(keys, func(k string) bool { return !slices.Contains(held, k) }) {
			t.Logf("held before their commits: %s", strings.Join(held, ", "))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fills held before their commits: %q, want %q among them", held, keys)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
