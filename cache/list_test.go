package cache

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func listKeys(t *testing.T, s *Store, prefix, after string) ([]string, []Listed) {
	t.Helper()
	var keys []string
	var all []Listed
	err := s.List(context.Background(), prefix, after, func(l Listed) bool {
		keys = append(keys, l.Key)
		all = append(all, l)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys, all
}

func TestListPrefixCursorAndAccess(t *testing.T) {
	s := openTest(t, Options{})
	for _, k := range []string{"m/a/1", "m/b/1", "m/b/2", "n/a/1"} {
		put(t, s, k, []byte("bytes of "+k))
	}
	s.Touch("m/b/1")
	keys, all := listKeys(t, s, "m/", "")
	if len(keys) != 3 || keys[0] != "m/a/1" || keys[2] != "m/b/2" {
		t.Fatalf("List(m/): %v", keys)
	}
	for _, l := range all {
		if l.LastAccess.IsZero() || l.Size != int64(len("bytes of "+l.Key)) {
			t.Errorf("%s listed with size %d, last access %v", l.Key, l.Size, l.LastAccess)
		}
	}
	if keys, _ := listKeys(t, s, "m/", "m/b/1"); len(keys) != 1 || keys[0] != "m/b/2" {
		t.Errorf("List(m/, after m/b/1): %v", keys)
	}
	n := 0
	_ = s.List(context.Background(), "", "", func(Listed) bool { n++; return n < 2 })
	if n != 2 {
		t.Errorf("List went on after fn returned false: %d calls", n)
	}
}

// A pinned entry outlives an eviction pass that would remove it first; the pass
// takes the next oldest instead, and pins alone past the budget stop it cleanly.
func TestPinnedSurvivesEviction(t *testing.T) {
	s := openTest(t, Options{MaxSize: 1000, TouchFlush: 10 * time.Millisecond})
	for i := 0; i < 10; i++ {
		put(t, s, fmt.Sprintf("k%d", i), blob100(i))
	}
	if err := s.Pin("k0"); err != nil {
		t.Fatal(err)
	}
	if err := s.Pin("absent"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Pin of an absent key: %v", err)
	}
	put(t, s, "k10", blob100(10)) // 1100 > 1000: evict down to 900
	s.evictWG.Wait()
	if _, err := s.Lookup("k0"); err != nil {
		t.Errorf("the pinned oldest entry was evicted: %v", err)
	}
	for _, k := range []string{"k1", "k2"} {
		if _, err := s.Lookup(k); err == nil {
			t.Errorf("%s, the oldest unpinned, survived", k)
		}
	}
	if ps, err := s.Pinned(); err != nil || ps.Entries != 1 || ps.Bytes != 100 {
		t.Errorf("Pinned() = %+v, %v", ps, err)
	}
	_, all := listKeys(t, s, "k0", "")
	if len(all) != 1 || !all[0].Pinned {
		t.Errorf("List does not show k0 pinned: %+v", all)
	}

	// Pin everything left, then overflow: the evictor stops instead of spinning.
	keys, _ := listKeys(t, s, "", "")
	for _, k := range keys {
		_ = s.Pin(k)
	}
	put(t, s, "k11", blob100(11))
	put(t, s, "k12", blob100(12))
	s.evictWG.Wait()
	if _, err := s.Lookup("k3"); err != nil {
		t.Errorf("a pinned entry went when pins filled the budget: %v", err)
	}
	if err := s.Unpin("k3"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("k0"); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.Pinned(); ps.Entries != int64(len(keys)-2) {
		t.Errorf("after an unpin and a delete, %d pinned, want %d", ps.Entries, len(keys)-2)
	}
	put(t, s, "k0", blob100(0)) // refilled after an invalidation: still pinned
	if _, all := listKeys(t, s, "k0", ""); len(all) != 1 || !all[0].Pinned {
		t.Errorf("the refilled k0 lost its pin: %+v", all)
	}
}
