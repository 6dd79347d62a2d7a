package cache

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"testing"
)

func TestCommitVerifyFailures(t *testing.T) {
	data := []byte("the artifact's bytes")
	md5s, sha1s, sha512s := md5.Sum(data), sha1.Sum(data), sha512.Sum512(data)
	good := map[string]string{
		"md5":    hex.EncodeToString(md5s[:]),
		"sha1":   hex.EncodeToString(sha1s[:]),
		"sha256": sha256Hex(data),
		"sha512": hex.EncodeToString(sha512s[:]),
	}
	wrong := sha256Hex([]byte("other")) + sha256Hex([]byte("more"))
	cases := map[string]WriterOptions{
		"size short": {ExpectedSize: int64(len(data)) + 1},
		"size long":  {ExpectedSize: int64(len(data)) - 1},
	}
	for algo := range good {
		cases[algo] = WriterOptions{ExpectedSize: -1, Expected: []Checksum{{Algo: algo, Hex: wrong[:len(good[algo])]}}}
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			s := openTest(t, Options{})
			w, err := s.NewWriter(o)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Cancel()
			_, _ = w.Write(data)
			if _, err := w.Commit("k", Entry{}); !errors.Is(err, ErrVerify) {
				t.Fatalf("Commit = %v, want ErrVerify", err)
			}
			mustNotFound(t, s, "k")
			if _, err := os.Stat(w.Path()); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("temp file not removed")
			}
			if blobExists(s, Digest("sha256:"+sha256Hex(data))) || s.Stats() != (Stats{}) {
				t.Fatalf("something was stored: %+v", s.Stats())
			}
		})
	}
	t.Run("all match", func(t *testing.T) {
		s := openTest(t, Options{})
		o := WriterOptions{ExpectedSize: int64(len(data))}
		for algo, h := range good {
			o.Expected = append(o.Expected, Checksum{Algo: algo, Hex: h})
		}
		o.Expected[0].Hex = toUpper(o.Expected[0].Hex) // published checksums vary in case
		w, err := s.NewWriter(o)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
		if _, err := w.Commit("k", Entry{}); err != nil {
			t.Fatal(err)
		}
	})
}

func toUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func TestWriterLimits(t *testing.T) {
	s := openTest(t, Options{})
	w, err := s.NewWriter(WriterOptions{ExpectedSize: -1, MaxSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()
	if _, err := w.Write(make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 8)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Write past MaxSize = %v", err)
	}
	if _, err := w.Commit("k", Entry{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Commit after ErrTooLarge = %v", err)
	}
	mustNotFound(t, s, "k")

	w2, _ := s.NewWriter(WriterOptions{ExpectedSize: 4})
	defer w2.Cancel()
	if _, err := w2.Write([]byte("12345")); !errors.Is(err, ErrVerify) {
		t.Fatalf("Write past ExpectedSize = %v", err)
	}
	if _, err := s.NewWriter(WriterOptions{Expected: []Checksum{{Algo: "crc32", Hex: "00"}}}); err == nil {
		t.Fatal("unknown algorithm accepted")
	}
	if len(tmpFiles(t, s)) != 1 { // w2's, until its deferred Cancel
		t.Fatalf("tmp = %v", tmpFiles(t, s))
	}
}

func TestCancelAfterCommitAndTwice(t *testing.T) {
	s := openTest(t, Options{})
	w, err := s.NewWriter(WriterOptions{ExpectedSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("kept"))
	e, err := w.Commit("k", Entry{})
	if err != nil {
		t.Fatal(err)
	}
	w.Cancel()
	w.Cancel()
	if readBlob(t, s, e) == nil || !blobExists(s, e.Digest) {
		t.Fatal("Cancel after Commit removed the blob")
	}
	if _, err := w.Commit("k2", Entry{}); err == nil {
		t.Fatal("second Commit must fail")
	}

	w2, _ := s.NewWriter(WriterOptions{ExpectedSize: -1})
	_, _ = w2.Write([]byte("dropped"))
	w2.Cancel()
	w2.Cancel()
	if _, err := w2.Commit("k3", Entry{}); err == nil {
		t.Fatal("Commit after Cancel must fail")
	}
	if len(tmpFiles(t, s)) != 0 {
		t.Fatal("temp file left")
	}
}

// A reader that opened the temp file keeps reading it after the rename.
func TestTailAcrossCommit(t *testing.T) {
	s := openTest(t, Options{})
	w, _ := s.NewWriter(WriterOptions{ExpectedSize: -1})
	defer w.Cancel()
	_, _ = w.Write([]byte("first "))
	f, err := os.Open(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, _ = w.Write([]byte("second"))
	if _, err := w.Commit("k", Entry{}); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	if string(b) != "first second" || w.Written() != 12 {
		t.Fatalf("tail read %q, written %d", b, w.Written())
	}
}

// A fill's timeout may Cancel from another goroutine while it writes.
func TestCancelConcurrentWithWrite(t *testing.T) {
	s := openTest(t, Options{})
	w, _ := s.NewWriter(WriterOptions{ExpectedSize: -1})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 1000; i++ {
			if _, err := w.Write([]byte("chunk")); err != nil {
				return
			}
		}
	}()
	w.Cancel()
	<-done
	if _, err := w.Commit("k", Entry{}); err == nil {
		t.Fatal("Commit after Cancel must fail")
	}
	if len(tmpFiles(t, s)) != 0 {
		t.Fatal("temp file left")
	}
}
