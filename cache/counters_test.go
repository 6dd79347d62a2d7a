package cache

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// reopen closes s and opens its data dir again with the same options.
func reopen(t *testing.T, s *Store) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return openTest(t, s.opts)
}

// crash stops s the way a killed process would: background work ends, the
// index is closed, and nothing is saved.
func crash(t *testing.T, s *Store) {
	t.Helper()
	s.lifeMu.Lock()
	s.closed = true
	s.lifeMu.Unlock()
	s.cancel()
	close(s.stop)
	s.bg.Wait()
	s.evictWG.Wait()
	s.closeHotTiers()
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
}

func wantCounted(t *testing.T, s *Store) {
	t.Helper()
	bytes, entries, err := s.countIndex()
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Bytes != bytes || st.Entries != entries {
		t.Fatalf("Stats = %+v, index holds %d bytes in %d entries", st, bytes, entries)
	}
}

func TestCountersSurviveRestart(t *testing.T) {
	s := openTest(t, Options{MaxSize: 1000})
	for i := 0; i < 12; i++ { // 1200 bytes: the evictor takes some
		put(t, s, fmt.Sprintf("k%d", i), blob100(i))
	}
	put(t, s, "shared", blob100(11))
	if err := s.Delete("k11"); err != nil { // the blob stays: "shared" uses it
		t.Fatal(err)
	}
	s.evictWG.Wait()
	before := s.Stats()
	if before.Evictions == 0 {
		t.Fatalf("no eviction: %+v", before)
	}
	s = reopen(t, s)
	if st := s.Stats(); st.Bytes != before.Bytes || st.Entries != before.Entries {
		t.Fatalf("after restart Stats = %+v, before %+v", st, before)
	}
	wantCounted(t, s)
	// The saved figures are gone while the store is open, so that a crash recounts.
	if _, _, saved, err := s.savedCounters(); saved || err != nil {
		t.Fatalf("saved counters still present after Open: %v, %v", saved, err)
	}
	put(t, s, "after", []byte("new bytes"))
	if err := s.Delete("k10"); err != nil {
		t.Fatal(err)
	}
	s.evictWG.Wait()
	s = reopen(t, s)
	wantCounted(t, s)
}

// Open must take the saved counters as they are, without reading the index.
func TestOpenUsesSavedCounters(t *testing.T) {
	s := openTest(t, Options{})
	put(t, s, "k", []byte("x"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(badgerOptions(s.opts, s.log))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(txn *badger.Txn) error {
		return txn.Set(metaCounters, append(putInt(12345), putInt(678)...))
	})
	if cerr := db.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	s = openTest(t, s.opts)
	if st := s.Stats(); st.Bytes != 12345 || st.Entries != 678 {
		t.Fatalf("Stats = %+v, want the saved 12345 bytes, 678 entries", st)
	}
}

// After a crash (or with a data dir written before counters were saved) there
// is nothing saved, and Open recounts.
func TestOpenRecountsAfterCrash(t *testing.T) {
	s := openTest(t, Options{})
	put(t, s, "a", []byte("aaaa"))
	s = reopen(t, s) // saved counters consumed by this Open
	put(t, s, "b", []byte("bbbbbbbb"))
	put(t, s, "c", []byte("aaaa"))
	crash(t, s)
	s = openTest(t, s.opts)
	if st := s.Stats(); st.Bytes != 12 || st.Entries != 3 {
		t.Fatalf("Stats after crash = %+v, want 12 bytes in 3 entries", st)
	}
}

func TestNoIndexChangeAfterCountersSaved(t *testing.T) {
	s := openTest(t, Options{})
	put(t, s, "k", []byte("x"))
	s.saveCounters()
	if _, err := s.deleteIf("k", "", 0); !errors.Is(err, errClosed) {
		t.Fatalf("delete after the counters were saved: %v", err)
	}
}

func accessTime(t *testing.T, s *Store, key string) int64 {
	t.Helper()
	var at int64
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(accessKey(key))
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { at = getInt(v); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// touchTwice returns the access times recorded after each of two touches.
func touchTwice(t *testing.T, s *Store) (first, second int64) {
	put(t, s, "k", []byte("x"))
	committed := accessTime(t, s, "k")
	time.Sleep(time.Millisecond)
	s.Touch("k")
	s.flushTouches()
	first = accessTime(t, s, "k")
	if first <= committed {
		t.Fatalf("first touch not recorded: %d <= %d", first, committed)
	}
	time.Sleep(time.Millisecond)
	s.Touch("k")
	s.flushTouches()
	return first, accessTime(t, s, "k")
}

func TestTouchQueuesAKeyOncePerInterval(t *testing.T) {
	s := openTest(t, Options{TouchFlush: time.Hour, TouchResolution: time.Hour})
	if first, second := touchTwice(t, s); second != first {
		t.Fatalf("second touch within the interval was written: %d -> %d", first, second)
	}
	s = openTest(t, Options{TouchFlush: time.Hour, TouchResolution: time.Nanosecond})
	if first, second := touchTwice(t, s); second <= first {
		t.Fatalf("touch in a later interval not written: %d -> %d", first, second)
	}
}
