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
