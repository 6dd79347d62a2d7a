package cache

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"testing"
)

// A big blob written in odd chunks gets the digest and every verdict of the
// bytes written, whichever checksums were declared.
func TestBigBlobVerdicts(t *testing.T) {
	data := make([]byte, 3<<20+12345)
	rand.Read(data)
	sha1s := sha1.Sum(data)
	good1, good256 := hex.EncodeToString(sha1s[:]), sha256Hex(data)
	wrong256 := sha256Hex([]byte("other"))
	wrong1 := good1[:39] + "0"
	if good1[39] == '0' {
		wrong1 = good1[:39] + "1"
	}
	for name, c := range map[string]struct {
		o      WriterOptions
		verify bool
	}{
		"nothing expected":      {WriterOptions{ExpectedSize: int64(len(data))}, true},
		"size unknown":          {WriterOptions{ExpectedSize: -1}, true},
		"sha1 expected":         {WriterOptions{ExpectedSize: -1, Expected: []Checksum{{Algo: "sha1", Hex: good1}}}, true},
		"sha256 expected":       {WriterOptions{ExpectedSize: -1, Expected: []Checksum{{Algo: "sha256", Hex: good256}}}, true},
		"sha1 and sha256":       {WriterOptions{ExpectedSize: -1, Expected: []Checksum{{Algo: "sha1", Hex: good1}, {Algo: "sha256", Hex: good256}}}, true},
		"sha256 differs":        {WriterOptions{ExpectedSize: -1, Expected: []Checksum{{Algo: "sha256", Hex: wrong256}}}, false},
		"sha1 differs":          {WriterOptions{ExpectedSize: -1, Expected: []Checksum{{Algo: "sha1", Hex: wrong1}}}, false},
		"size differs, no sums": {WriterOptions{ExpectedSize: int64(len(data)) + 1}, false},
	} {
		for _, procs := range []int{1, 2} { // inline hashing on one CPU, a trail on more
			t.Run(fmt.Sprintf("%s/procs=%d", name, procs), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				bigBlobVerdict(t, data, c.o, c.verify, good256)
			})
		}
	}
}

// bigBlobVerdict writes data in odd chunks and checks Verify's verdict and, for a
// good blob, its digest before and after the commit.
func bigBlobVerdict(t *testing.T, data []byte, o WriterOptions, verify bool, good256 string) {
	s := openTest(t, Options{})
	w, err := s.NewWriter(o)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()
	for off := 0; off < len(data); off += 100001 {
		if _, err := w.Write(data[off:min(off+100001, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Verify(); (err == nil) != verify {
		t.Fatalf("Verify = %v, want success %v", err, verify)
	}
	if verify {
		// Asked before the commit, a blob named late is hashed from its temp file.
		if d := w.Digest(); d.Hex() != good256 {
			t.Fatalf("Digest = %s, want sha256:%s", d, good256)
		}
	}
	e, err := w.Commit("k", Entry{})
	if !verify {
		if !errors.Is(err, ErrVerify) {
			t.Fatalf("Commit = %v, want ErrVerify", err)
		}
		return
	}
	if err != nil || e.Digest.Hex() != good256 || e.Size != int64(len(data)) {
		t.Fatalf("Commit = %v, %s, %d bytes; want sha256:%s, %d", err, e.Digest, e.Size, good256, len(data))
	}
}

// A blob named late is hashed from its temp file at the commit: a temp file cut
// short meanwhile fails the commit, and nothing is indexed.
func TestLateNameOfShortenedTempFile(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // no trail: the follower and the name read the file back
	s := openTest(t, Options{})
	w, data := sha1Writer(t, s, 2<<20)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Verify(); err != nil {
		t.Fatalf("Verify = %v", err)
	}
	if err := os.Truncate(w.Path(), 1000); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit("k", Entry{}); err == nil {
		t.Fatal("Commit of a temp file cut short succeeded")
	}
	mustNotFound(t, s, "k")
	if left := tmpFiles(t, s); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
}
