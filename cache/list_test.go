package cache

import (
	"context"
	"testing"
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
