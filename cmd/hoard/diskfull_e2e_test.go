package main_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"hoard/bench/origin"
)

// TestDiskFull: hoard's data dir on a small tmpfs that the test fills to the last
// byte. Fills then fail cleanly (507 or 503 before any byte, or a transfer cut
// short, never a body served as complete), hits keep being served, nothing
// partial is indexed, and once space returns the same requests fill normally.
func TestDiskFull(t *testing.T) {
	needE2E(t)
	mnt := smallFS(t, 96<<20)
	data := filepath.Join(mnt, "data")

	root := t.TempDir()
	files := map[string][]byte{}
	src := rand.NewChaCha8([32]byte{'f', 'u', 'l', 'l'})
	for name, size := range map[string]int{"hit": 100 << 10, "small": 20 << 10, "medium": 200 << 10, "large": 4 << 20} {
		rel := fmt.Sprintf("full/%s/1.0/%s-1.0.jar", name, name)
		b := make([]byte, size)
		src.Read(b)
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files[rel] = b
	}
	rel := func(name string) string { return fmt.Sprintf("full/%s/1.0/%s-1.0.jar", name, name) }
	o := origin.New(origin.Options{Root: root, Checksums: true})
	up := startUpstream(t, http.StripPrefix(originBase, o))
	h := startHoard(t, data, mavenMount(up)...)
	base := h.URL + "/maven/"

	if got := fetchWhole(t, base+rel("hit")); !bytes.Equal(got.body, files[rel("hit")]) || got.status != 200 {
		t.Fatalf("filling the hit before the disk fills: %s", got)
	}
	// First with no byte left, then with 1 MiB: the large fill's first bytes and
	// the checksums fit, the rest does not.
	for round, leave := range []int64{0, 0, 1 << 20} {
		ballast := fillUp(t, mnt, leave)
		t.Logf("round %d: filesystem full but %d bytes: %d bytes of ballast", round, leave, ballast)
		for _, name := range []string{"small", "medium", "large"} {
			got := fetchWhole(t, base+rel(name))
			t.Logf("round %d, %s miss: %s", round, name, got)
			switch {
			case got.status == http.StatusInsufficientStorage, got.status == http.StatusServiceUnavailable:
			case got.status == http.StatusOK && got.err != nil && leave > 0:
				// Headers were out before the disk refused a write: the transfer is
				// cut short, which the client sees as an error, not a whole body.
			case got.status == http.StatusOK && leave > 0 && bytes.Equal(got.body, files[rel(name)]):
				// It fitted in what was left.
			default:
				t.Errorf("round %d, %s miss on a full disk: %s; want 507 or 503", round, name, got)
			}
		}
		if got := fetchWhole(t, base+rel("hit")); got.status != 200 || !bytes.Equal(got.body, files[rel("hit")]) {
			t.Errorf("round %d, hit on a full disk: %s", round, got)
		}
	}
	if !h.running() {
		t.Fatalf("hoard died on a full disk; log:\n%s", tail(h.LogPath, 40))
	}

	if err := os.Remove(filepath.Join(mnt, "ballast")); err != nil {
		t.Fatal(err)
	}
	for r, want := range files {
		if got := fetchWhole(t, base+r); got.status != 200 || got.err != nil || !bytes.Equal(got.body, want) {
			t.Errorf("%s once space returned: %s", r, got)
		}
	}
	h.Stop()
	out, err := hoardCmd(t, "verify", "--data-dir", data)
	if err != nil || corruptCount.MatchString(out) {
		t.Fatalf("hoard verify: %v\n%s", err, out)
	}
	checkIndexMatchesBlobs(t, data)
}

// smallFS mounts a tmpfs of size bytes for the test, or skips (fails in CI)
// where the machine does not allow it.
func smallFS(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		missing(t, "cannot mount a size-limited tmpfs for the data dir (needs root or CAP_SYS_ADMIN): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fillUp writes a ballast file until the filesystem at dir has no space left,
// then gives back leave bytes.
func fillUp(t *testing.T, dir string, leave int64) int64 {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "ballast"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	var n int64
	for {
		w, err := f.Write(chunk)
		n += int64(w)
		if errors.Is(err, syscall.ENOSPC) {
			fi, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(max(fi.Size()-leave, 0)); err != nil {
				t.Fatal(err)
			}
			return fi.Size() - leave
		}
		if err != nil {
			t.Fatalf("ballast: %v", err)
		}
	}
}

type fetched struct {
	status int
	body   []byte
	err    error
}

func (f fetched) String() string {
	return fmt.Sprintf("status %d, %d bytes, err %v", f.status, len(f.body), f.err)
}

func fetchWhole(t *testing.T, url string) fetched {
	t.Helper()
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Get(url)
	if err != nil {
		return fetched{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return fetched{status: resp.StatusCode, body: b, err: err}
}
