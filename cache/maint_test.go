package cache

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func TestVerifyDropsCorruptBlob(t *testing.T) {
	s := openTest(t, Options{})
	bad := put(t, s, "a", []byte("will rot"))
	put(t, s, "b", []byte("will rot")) // shares the rotten blob
	good := put(t, s, "c", []byte("stays fine"))
	if err := os.WriteFile(s.blobPath(bad.Digest.Hex()), []byte("bit flip"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.blobs.Del(bad.Digest.Hex())
	rep, err := s.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rep != (VerifyReport{Checked: 2, Corrupt: 1, Dropped: 2}) {
		t.Fatalf("report = %+v", rep)
	}
	mustNotFound(t, s, "a")
	mustNotFound(t, s, "b")
	if blobExists(s, bad.Digest) {
		t.Fatal("corrupt blob kept")
	}
	readBlob(t, s, good)
	if st := s.Stats(); st.Entries != 1 || st.Bytes != good.Size {
		t.Fatalf("Stats = %+v", st)
	}
	// The same bytes can be filled again afterwards.
	again := put(t, s, "a", []byte("will rot"))
	readBlob(t, s, again)
}

func TestGC(t *testing.T) {
	s := openTest(t, Options{})
	kept := put(t, s, "k", []byte("referenced"))

	// An orphan blob, as left by a crash between the rename and the index write.
	orphan := []byte("orphan")
	ohex := sha256Hex(orphan)
	if err := os.WriteFile(s.blobPath(ohex), orphan, 0o644); err != nil {
		t.Fatal(err)
	}
	// A size record with no reference, as left by a crash inside unref.
	rhex := sha256Hex([]byte("record only"))
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(blobKey(rhex), putInt(11)) }); err != nil {
		t.Fatal(err)
	}
	s.bytes.Add(11)
	// An abandoned temp file and a live one.
	old := filepath.Join(s.tmpDir, "fill-old")
	fresh := filepath.Join(s.tmpDir, "fill-fresh")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("tmp"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	// Something that is not a blob name is never touched.
	junk := filepath.Join(s.blobDir, "ab", "not-a-digest")
	if err := os.WriteFile(junk, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	rep, err := s.GC(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Removed != 1 || rep.RemovedBytes != int64(len(orphan)) || rep.TmpRemoved != 1 || rep.TmpBytes != 3 {
		t.Fatalf("report = %+v", rep)
	}
	for p, want := range map[string]bool{s.blobPath(ohex): false, old: false, fresh: true, junk: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists=%v, want %v", p, err == nil, want)
		}
	}
	readBlob(t, s, kept)
	if st := s.Stats(); st.Bytes != kept.Size || st.Entries != 1 {
		t.Fatalf("Stats = %+v", st)
	}
}
