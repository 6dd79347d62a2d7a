package cache

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// openTest opens a store in a fresh temp dir and closes it at test end.
func openTest(t testing.TB, o Options) *Store {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	s, err := Open(o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// put writes data under key with no declared expectations and commits it.
func put(t testing.TB, s *Store, key string, data []byte) Entry {
	t.Helper()
	w, err := s.NewWriter(WriterOptions{ExpectedSize: -1})
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	defer w.Cancel()
	if _, err := w.Write(data); err != nil {
		t.Fatalf("Write: %v", err)
	}
	e, err := w.Commit(key, Entry{ContentType: "application/octet-stream", FetchedAt: time.Now()})
	if err != nil {
		t.Fatalf("Commit %q: %v", key, err)
	}
	return e
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func readBlob(t *testing.T, s *Store, e Entry) []byte {
	t.Helper()
	f, err := s.OpenBlob(e)
	if err != nil {
		t.Fatalf("OpenBlob: %v", err)
	}
	defer f.Close()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustNotFound(t *testing.T, s *Store, key string) {
	t.Helper()
	if _, err := s.Lookup(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Lookup(%q) = %v, want ErrNotFound", key, err)
	}
}

func blobExists(s *Store, d Digest) bool {
	_, err := os.Stat(s.blobPath(d.Hex()))
	return err == nil
}

func tmpFiles(t *testing.T, s *Store) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(s.tmpDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sha1Writer returns size random bytes and a Writer that expects them by their
// sha1 alone (so the blob is named late), with nothing written yet.
func sha1Writer(t *testing.T, s *Store, size int) (*Writer, []byte) {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	sum := sha1.Sum(data)
	w, err := s.NewWriter(WriterOptions{ExpectedSize: int64(size), Expected: []Checksum{{Algo: "sha1", Hex: hex.EncodeToString(sum[:])}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Cancel)
	return w, data
}
