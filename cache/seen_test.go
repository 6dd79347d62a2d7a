package cache

import (
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestFirstSeenKeepsTheFirstTimeAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if got, err := s.FirstSeen("npm/left-pad@1.0.0", first); err != nil || !got.Equal(first) {
		t.Fatalf("first sight: %v, %v", got, err)
	}
	if got, _ := s.FirstSeen("npm/left-pad@1.0.0", first.Add(time.Hour)); !got.Equal(first) {
		t.Errorf("second sight moved the time to %v", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, _ := s.FirstSeen("npm/left-pad@1.0.0", first.Add(48*time.Hour)); !got.Equal(first) {
		t.Errorf("after a reopen: %v, want %v", got, first)
	}
	if _, err := s.FirstSeen("", first); err == nil {
		t.Error("an empty name was recorded")
	}
}

// A record whose owner entry left the cache goes at GC once older than
// SeenRetention; one whose owner stays, one too recent, and one without owner
// stay.
func TestGCCollectsFirstSeenOfGonePackages(t *testing.T) {
	s := openTest(t, Options{})
	now := time.Now()
	old := now.Add(-SeenRetention - time.Hour)
	put(t, s, "npm/pkg/kept", []byte("doc"))
	s.FirstSeenBy("npm/kept@1", "npm/pkg/kept", old)
	s.FirstSeenBy("npm/gone@1", "npm/pkg/gone", old)
	s.FirstSeenBy("npm/recent@1", "npm/pkg/recent", now)
	s.FirstSeen("npm/forever@1", old)
	rep, err := s.GC(t.Context())
	if err != nil || rep.SeenRemoved != 1 {
		t.Fatalf("GC = %+v, %v; want one record removed", rep, err)
	}
	for name, want := range map[string]bool{"npm/kept@1": true, "npm/gone@1": false, "npm/recent@1": true, "npm/forever@1": true} {
		if _, found, _ := s.SeenAt(name); found != want {
			t.Errorf("%s kept=%v, want %v", name, found, want)
		}
	}
}

// Records travel by export and import: NoteSeen keeps the earlier sighting.
func TestNoteSeenKeepsTheEarlier(t *testing.T) {
	s := openTest(t, Options{})
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s.FirstSeenBy("npm/x@1", "npm/pkg/x", t0)
	s.NoteSeen(Seen{Name: "npm/x@1", At: t0.Add(time.Hour)})
	s.NoteSeen(Seen{Name: "npm/x@2", At: t0.Add(time.Hour), Owner: "npm/pkg/x"})
	recs, err := s.SeenRecords([]string{"npm/"})
	if err != nil || len(recs) != 2 {
		t.Fatalf("SeenRecords = %+v, %v", recs, err)
	}
	if !recs[0].At.Equal(t0) || recs[0].Owner != "npm/pkg/x" || !recs[1].At.Equal(t0.Add(time.Hour)) {
		t.Errorf("records %+v", recs)
	}
	s.NoteSeen(Seen{Name: "npm/x@2", At: t0})
	if got, _, _ := s.SeenAt("npm/x@2"); !got.Equal(t0) {
		t.Errorf("an earlier sighting imported did not win: %v", got)
	}
}
