package cache

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// TestStressInvariants mixes commits (with shared bytes), deletes, lookups,
// touches and eviction, then checks that index, counters and files agree.
func TestStressInvariants(t *testing.T) {
	s := openTest(t, Options{MaxSize: 3000, HotMaxItem: 150})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for i := 0; i < 150; i++ {
				key := fmt.Sprintf("k%d", r.IntN(40))
				switch op := r.IntN(10); {
				case op < 5:
					c := r.IntN(25)
					put(t, s, key, bytes.Repeat([]byte{byte(c)}, 100+c*10))
				case op < 7:
					if err := s.Delete(key); err != nil {
						t.Error(err)
					}
				default:
					s.Touch(key)
					if e, err := s.Lookup(key); err == nil {
						if f, err := s.OpenBlob(e); err == nil {
							f.Close()
						} else if !errors.Is(err, ErrNotFound) {
							t.Error(err)
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	s.evictWG.Wait()
	checkInvariants(t, s)
	if st := s.Stats(); st.Bytes > 3000 || st.Evictions == 0 {
		t.Fatalf("over budget, or no eviction: %+v", st)
	}
}

func checkInvariants(t *testing.T, s *Store) {
	t.Helper()
	entries := map[string]string{} // key -> hex
	refs := map[string]bool{}      // "hex/key"
	sizes := map[string]int64{}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := string(it.Item().Key())
			switch k[:2] {
			case pfxEntry:
				e, err := getEntry(txn, k[2:])
				if err != nil {
					return err
				}
				entries[k[2:]] = e.Digest.Hex()
			case pfxRef:
				refs[k[2:]] = true
			case pfxBlob:
				_ = it.Item().Value(func(v []byte) error { sizes[k[2:]] = getInt(v); return nil })
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for hx, n := range sizes {
		total += n
		if fi, err := os.Stat(s.blobPath(hx)); err != nil || fi.Size() != n {
			t.Errorf("blob %s: size record %d, file %v", hx[:8], n, err)
		}
	}
	for k, hx := range entries {
		if !refs[hx+"/"+k] || sizes[hx] == 0 {
			t.Errorf("entry %s lacks its reference or size record", k)
		}
	}
	for r := range refs {
		hx, k := r[:64], r[65:]
		if entries[k] != hx {
			t.Errorf("stale reference %s", r)
		}
	}
	st := s.Stats()
	if st.Bytes != total || st.Entries != int64(len(entries)) {
		t.Errorf("Stats %+v, index says bytes=%d entries=%d", st, total, len(entries))
	}
	_ = s.walkBlobs(t.Context(), func(hx, _ string, _ os.FileInfo) error {
		if _, ok := sizes[hx]; !ok {
			t.Errorf("orphan blob file %s", hx[:8])
		}
		return nil
	})
}
