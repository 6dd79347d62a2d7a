package cache

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestWriteWholeCommitsWithSums: a body written whole is committed with its
// checksum table in the same index write, and the hot tier serves the very
// bytes it was given, not a copy.
func TestWriteWholeCommitsWithSums(t *testing.T) {
	s := openTest(t, Options{})
	body := []byte(`{"name":"tool","versions":{}}`)
	w, err := s.WriteWhole(WriterOptions{}, body)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]Checksum{"/tool/-/tool-1.tgz": {Algo: "sha1", Hex: strings.Repeat("ab", 20)}}
	w.KeepSums(sums)
	if has, err := s.HasSums(w.Digest()); err != nil || has {
		t.Fatalf("table stored before the commit: %v %v", has, err)
	}
	e, err := w.Commit("npm/packument/tool", Entry{ContentType: "application/json"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Digest != Digest("sha256:"+sha256Hex(body)) || e.Size != int64(len(body)) {
		t.Errorf("committed %s, %d bytes", e.Digest, e.Size)
	}
	got, found, known, err := s.LookupSum(e.Digest, "/tool/-/tool-1.tgz")
	if err != nil || !found || !known || got != sums["/tool/-/tool-1.tgz"] {
		t.Errorf("table after the commit: %+v found %v known %v err %v", got, found, known, err)
	}
	s.blobs.Wait()
	hot, ok := s.HotBytes(e)
	if !ok || &hot[0] != &body[0] {
		t.Errorf("hot tier: held %v, same bytes as given %v", ok, ok && &hot[0] == &body[0])
	}
	if b := readBlob(t, s, e); string(b) != string(body) {
		t.Errorf("blob reads %q", b)
	}
}

// TestWriteWholeCancelledLeavesNothing: a whole body cancelled before its
// commit (the fill failed, or the process died there) leaves no temp file, no
// entry and no checksum table.
func TestWriteWholeCancelledLeavesNothing(t *testing.T) {
	s := openTest(t, Options{})
	w, err := s.WriteWhole(WriterOptions{}, []byte("doc"))
	if err != nil {
		t.Fatal(err)
	}
	w.KeepSums(map[string]Checksum{"/a": {Algo: "sha1", Hex: strings.Repeat("00", 20)}})
	d := w.Digest()
	w.Cancel()
	if has, err := s.HasSums(d); err != nil || has {
		t.Errorf("table after a cancel: %v %v", has, err)
	}
	if left := tmpFiles(t, s); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
}

// TestWriteWholeVerifies: a whole body is held to its expected checksums and
// size limit like a streamed one.
func TestWriteWholeVerifies(t *testing.T) {
	s := openTest(t, Options{})
	if _, err := s.WriteWhole(WriterOptions{MaxSize: 2}, []byte("abc")); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	w, err := s.WriteWhole(WriterOptions{Expected: []Checksum{{Algo: "sha256", Hex: strings.Repeat("0", 64)}}}, []byte("abc"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit("k", Entry{}); !errors.Is(err, ErrVerify) {
		t.Errorf("a body that fails its checksum was committed: %v", err)
	}
	mustNotFound(t, s, "k")
	if left := tmpFiles(t, s); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
}

// TestCommitLargeSums: a table too large to share the commit's transaction is
// written in a batch of its own, complete, before the entry is indexed.
func TestCommitLargeSums(t *testing.T) {
	s := openTest(t, Options{})
	sums := map[string]Checksum{}
	for i := 0; len(sums) < int(s.db.MaxBatchCount()/sumsTxnShare)+10; i++ {
		sums[fmt.Sprintf("/big/-/big-%d.0.0.tgz", i)] = Checksum{Algo: "sha512", Hex: strings.Repeat("cd", 64)}
	}
	w, err := s.WriteWhole(WriterOptions{}, []byte(`{"name":"big"}`))
	if err != nil {
		t.Fatal(err)
	}
	w.KeepSums(sums)
	e, err := w.Commit("npm/packument/big", Entry{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"/big/-/big-0.0.0.tgz", fmt.Sprintf("/big/-/big-%d.0.0.tgz", len(sums)-1)} {
		if _, found, known, err := s.LookupSum(e.Digest, name); err != nil || !found || !known {
			t.Errorf("%s: found %v known %v err %v", name, found, known, err)
		}
	}
}
