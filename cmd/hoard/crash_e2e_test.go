package main_test

import (
	"bytes"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"hoard/bench/origin"
)

// TestFillKilledMidway: SIGKILL hoard while it is filling a large artifact from a
// slow origin. After a restart on the same data dir, no temp file is left, the next
// GET fetches from the origin again and returns every byte, and `hoard verify`
// finds nothing corrupt.
func TestFillKilledMidway(t *testing.T) {
	needE2E(t)
	const rel = "big/blob/1.0/blob-1.0.jar"
	want := make([]byte, 20<<20)
	rand.NewChaCha8([32]byte{'h', 'o', 'a', 'r', 'd'}).Read(want)
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, rel), want, 0o644); err != nil {
		t.Fatal(err)
	}
	// 4 MiB/s: the first fill is still running when the test kills hoard, and the
	// second one takes a few seconds.
	o := origin.New(origin.Options{Root: root, Checksums: true, BytesPerSecond: 4 << 20})
	up := startUpstream(t, http.StripPrefix(originBase, o))
	data := t.TempDir()
	client := &http.Client{Timeout: 2 * time.Minute}

	h := startHoard(t, data, mavenMount(up)...)
	resp, err := client.Get(h.URL + "/maven/" + rel)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Fatalf("first GET: %s", resp.Status)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 1<<20)); err != nil {
		resp.Body.Close()
		t.Fatalf("first GET: no first MiB: %v", err)
	}
	h.Kill()
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Errorf("the killed transfer ended like a complete one after %d bytes", n+1<<20)
	}
	t.Logf("killed mid-fill; data dir tmp held %d entries", len(readDir(t, filepath.Join(data, "tmp"))))

	h = startHoard(t, data, mavenMount(up)...)
	if left := readDir(t, filepath.Join(data, "tmp")); len(left) > 0 {
		t.Errorf("data dir tmp not emptied at start: %v", left)
	}
	before := o.RequestsFor("/" + rel)
	resp, err = client.Get(h.URL + "/maven/" + rel)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET after restart: %s, %d bytes, %v", resp.Status, len(got), err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("GET after restart: %d bytes sha256 %x, want %d bytes sha256 %x",
			len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
	}
	if o.RequestsFor("/"+rel) == before {
		t.Errorf("the refill did not ask the origin: a partial fill was kept")
	}
	h.Stop()

	out, err := hoardCmd(t, "verify", "--data-dir", data)
	if err != nil {
		t.Fatalf("hoard verify: %v\n%s", err, out)
	}
	if corruptCount.MatchString(out) {
		t.Fatalf("hoard verify reports corruption:\n%s", out)
	}
	t.Logf("hoard verify: %s", bytes.TrimSpace([]byte(out)))
}

// corruptCount matches a non-zero corruption count in verify's output, written
// either way round ("corrupt: 2", "corrupt=2", "2 corrupt").
var corruptCount = regexp.MustCompile(`(?i)corrupt\w*["']?\s*[:=]?\s*[1-9]|\b[1-9]\d*\s+corrupt`)

func readDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}
