package cache

import (
	"context"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

func TestSumsTable(t *testing.T) {
	s := openTest(t, Options{})
	doc := put(t, s, "npm/packument/tool", []byte(`{"versions":{}}`))
	if _, found, known, err := s.LookupSum(doc.Digest, "/tool/-/tool-1.tgz"); err != nil || found || known {
		t.Fatalf("before PutSums: found %v known %v err %v", found, known, err)
	}
	sums := map[string]Checksum{
		"/tool/-/tool-1.tgz":      {Algo: "sha512", Hex: strings.Repeat("ab", 64)},
		"/tool/-/tool-2.tgz":      {Algo: "sha1", Hex: strings.Repeat("cd", 20)},
		strings.Repeat("x", 5000): {Algo: "sha1", Hex: strings.Repeat("ef", 20)}, // over the key limit: left out
	}
	if err := s.PutSums(doc.Digest, sums); err != nil {
		t.Fatal(err)
	}
	for name, want := range sums {
		got, found, known, err := s.LookupSum(doc.Digest, name)
		if len(name) > maxKeyLen {
			if found || err != nil {
				t.Errorf("over-long name: found %v err %v", found, err)
			}
			continue
		}
		if err != nil || !found || !known || got != want {
			t.Errorf("%s: got %+v found %v known %v err %v", name, got, found, known, err)
		}
	}
	if _, found, known, err := s.LookupSum(doc.Digest, "/tool/-/tool-3.tgz"); err != nil || found || !known {
		t.Errorf("absent name: found %v known %v err %v", found, known, err)
	}
	if _, _, _, err := s.LookupSum(Digest("sha256:../../x"), "/a"); err == nil {
		t.Error("a malformed digest was looked up")
	}

	// The table goes with the last reference to its document.
	if err := s.Delete("npm/packument/tool"); err != nil {
		t.Fatal(err)
	}
	if _, found, known, _ := s.LookupSum(doc.Digest, "/tool/-/tool-1.tgz"); found || known {
		t.Errorf("table outlived its document: found %v known %v", found, known)
	}
}

// TestGCDropsOrphanSums: a table whose document is gone (a crash between the two)
// is dropped by GC, whole or partial; one still referenced is kept.
func TestGCDropsOrphanSums(t *testing.T) {
	s := openTest(t, Options{})
	kept := put(t, s, "doc/kept", []byte("kept"))
	sum := map[string]Checksum{"/a": {Algo: "sha1", Hex: strings.Repeat("00", 20)}}
	if err := s.PutSums(kept.Digest, sum); err != nil {
		t.Fatal(err)
	}
	orphan, _ := digestFromHex(sha256Hex([]byte("never stored")))
	if err := s.PutSums(orphan, sum); err != nil {
		t.Fatal(err)
	}
	partial := sha256Hex([]byte("partial"))
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(sumKey(partial, "/a"), []byte("sha1:00")) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GC(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, found, _, _ := s.LookupSum(kept.Digest, "/a"); !found {
		t.Error("GC dropped a referenced document's table")
	}
	if _, _, known, _ := s.LookupSum(orphan, "/a"); known {
		t.Error("GC kept an orphan table")
	}
	n := 0
	_ = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pfxSums + partial)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if n != 0 {
		t.Errorf("GC kept %d keys of a partial table", n)
	}
}
