package cache

import (
	"strings"
	"testing"
	"time"
)

func TestExpireAndKeysWithPrefix(t *testing.T) {
	s := openTest(t, Options{})
	now := time.Now()
	commit(t, s, "npm/pkg/@a/b", "doc", Entry{Mutable: true, FetchedAt: now, ETag: `"v1"`})
	commit(t, s, "npm/pkg/@a/b@abbrev", "abbrev", Entry{Mutable: true, FetchedAt: now})
	commit(t, s, "npm/@a/b/-/b-1.0.0.tgz", "tarball", Entry{FetchedAt: now})
	keys, err := s.KeysWithPrefix("npm/pkg/@a/b", 10)
	if err != nil || strings.Join(keys, ",") != "npm/pkg/@a/b,npm/pkg/@a/b@abbrev" {
		t.Fatalf("keys %v %v", keys, err)
	}
	if ok, err := s.Expire("npm/pkg/@a/b"); !ok || err != nil {
		t.Fatalf("expire: %v %v", ok, err)
	}
	e, err := s.Lookup("npm/pkg/@a/b")
	if err != nil || !e.FetchedAt.Before(now.Add(-time.Hour)) || e.ETag != `"v1"` {
		t.Errorf("expired entry %+v %v: want an old fetch time and its validators kept", e, err)
	}
	if ok, _ := s.Expire("npm/pkg/@a/b"); ok {
		t.Errorf("expired twice")
	}
	if ok, _ := s.Expire("npm/@a/b/-/b-1.0.0.tgz"); ok {
		t.Errorf("an immutable entry was expired")
	}
	if ok, err := s.Expire("npm/pkg/@a/absent"); ok || err != nil {
		t.Errorf("absent key: %v %v", ok, err)
	}
	if _, err := s.Lookup("npm/@a/b/-/b-1.0.0.tgz"); err != nil {
		t.Errorf("tarball gone: %v", err)
	}
}

func commit(t *testing.T, s *Store, key, data string, e Entry) {
	t.Helper()
	w, err := s.NewWriter(WriterOptions{ExpectedSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()
	w.Write([]byte(data))
	if _, err := w.Commit(key, e); err != nil {
		t.Fatal(err)
	}
}
