package cache

import (
	"testing"
	"time"
)

// A note survives a reopen of the index, and is gone once its life is over.
func TestNotesSurviveReopenAndExpire(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, Options{Dir: dir})
	at := time.Unix(1_700_000_000, 42)
	if err := s.PutNote("access/x", at, []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.PutNote("access/short", at, nil, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, Options{Dir: dir})
	got, v, found, err := s.Note("access/x")
	if err != nil || !found || !got.Equal(at) || string(v) != "v" {
		t.Fatalf("Note after reopen = %v %q %v %v", got, v, found, err)
	}
	if _, _, found, _ := s.Note("access/none"); found {
		t.Error("a note never written was found")
	}
	time.Sleep(1100 * time.Millisecond) // badger's TTL has a resolution of a second
	if _, _, found, _ := s.Note("access/short"); found {
		t.Error("a note past its life was found")
	}
}
