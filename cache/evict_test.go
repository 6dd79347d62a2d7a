package cache

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func blob100(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 100) }

func TestEvictionKeepsBudgetLRU(t *testing.T) {
	s := openTest(t, Options{MaxSize: 1000, TouchFlush: 10 * time.Millisecond})
	for i := 0; i < 9; i++ {
		put(t, s, fmt.Sprintf("k%d", i), blob100(i))
	}
	s.Touch("k0") // k0 and k1 become the most recently used
	s.Touch("k1")
	s.flushTouches()
	put(t, s, "k9", blob100(9)) // 1000 bytes: at the budget, no eviction
	s.evictWG.Wait()
	if st := s.Stats(); st.Evictions != 0 {
		t.Fatalf("evicted at the budget: %+v", st)
	}
	put(t, s, "k10", blob100(10)) // 1100 > 1000: evict down to 900
	s.evictWG.Wait()
	st := s.Stats()
	if st.Bytes != 900 || st.Entries != 9 || st.Evictions != 2 {
		t.Fatalf("Stats after eviction = %+v", st)
	}
	for i := 0; i <= 10; i++ {
		_, err := s.Lookup(fmt.Sprintf("k%d", i))
		if evicted := i == 2 || i == 3; evicted != (err != nil) {
			t.Errorf("k%d: evicted=%v but Lookup err=%v", i, evicted, err)
		}
	}
}

func TestEvictionFallsBackToFetchedAt(t *testing.T) {
	s := openTest(t, Options{})
	base := time.Now().Add(-time.Hour)
	for i, age := range []int{3, 1, 2} { // k0 fetched last, k1 first
		w, _ := s.NewWriter(WriterOptions{ExpectedSize: -1})
		_, _ = w.Write(blob100(i))
		if _, err := w.Commit(fmt.Sprintf("k%d", i), Entry{FetchedAt: base.Add(time.Duration(age) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	// Entries without an access record, as an index written before Touch existed.
	err := s.db.Update(func(txn *badger.Txn) error {
		return deleteKeys(txn, accessKey("k0"), accessKey("k1"), accessKey("k2"))
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.oldest(t.Context(), 2)
	if err != nil || len(c) != 2 || c[0].key != "k1" || c[1].key != "k2" {
		t.Fatalf("oldest = %+v, %v", c, err)
	}
}

// A touch after the candidate scan must save the entry from eviction.
func TestEvictionSkipsEntriesTouchedSinceScan(t *testing.T) {
	s := openTest(t, Options{})
	put(t, s, "k", []byte("x"))
	c, _ := s.oldest(t.Context(), 1)
	s.Touch("k")
	s.flushTouches()
	if ok, err := s.deleteIf(c[0].key, "", c[0].at); ok || err != nil {
		t.Fatalf("deleteIf on a touched entry = %v, %v", ok, err)
	}
}

func TestTouchNeverBlocks(t *testing.T) {
	s := openTest(t, Options{TouchFlush: time.Hour})
	put(t, s, "k", []byte("x"))
	done := make(chan struct{})
	go func() {
		for i := 0; i < 5*touchQueue; i++ { // far more than the queue holds
			s.Touch("k")
			s.Touch("absent") // never gets an a/ record
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Touch blocked")
	}
	s.flushTouches()
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(accessKey("absent"))
		return err
	})
	if err != badger.ErrKeyNotFound {
		t.Fatalf("a/ record for a key without entry: %v", err)
	}
}
