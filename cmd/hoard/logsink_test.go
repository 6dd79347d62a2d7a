package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the sink's timer goroutine.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLogSinkKeepsOrderAndWholeLines(t *testing.T) {
	out := &lockedBuffer{}
	s := newLogSink(out, time.Hour) // only fullness, other lines and Close flush
	access := s.Buffered()
	access.Write([]byte("access 1\n"))
	access.Write([]byte("access 2\n"))
	if out.String() != "" {
		t.Fatalf("access lines written before a flush: %q", out.String())
	}
	s.Write([]byte("warning\n"))
	if got, want := out.String(), "access 1\naccess 2\nwarning\n"; got != want {
		t.Fatalf("after a warning: %q, want %q (buffered lines first)", got, want)
	}
	access.Write([]byte("access 3\n"))
	s.Close()
	if !strings.HasSuffix(out.String(), "warning\naccess 3\n") {
		t.Fatalf("Close did not write the buffered line: %q", out.String())
	}

	// A full buffer is written before the line that would not fit, never split.
	out = &lockedBuffer{}
	s = newLogSink(out, time.Hour)
	line := []byte(strings.Repeat("x", 999) + "\n")
	for range 3 * logSinkBuffer / len(line) {
		s.Buffered().Write(line)
	}
	s.Close()
	for _, l := range strings.SplitAfter(out.String(), "\n") {
		if l != "" && l != string(line) {
			t.Fatalf("a line was split or mangled: %d bytes", len(l))
		}
	}
	if out.writes < 3 {
		t.Errorf("%d writes for three buffers' worth of lines", out.writes)
	}
}

func TestLogSinkFlushesOnItsInterval(t *testing.T) {
	out := &lockedBuffer{}
	s := newLogSink(out, 10*time.Millisecond)
	defer s.Close()
	s.Buffered().Write([]byte("access\n"))
	deadline := time.Now().Add(5 * time.Second)
	for out.String() == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if out.String() != "access\n" {
		t.Fatalf("buffered line not written by the timer: %q", out.String())
	}
}

func TestLogSinkUnbufferedWithZeroInterval(t *testing.T) {
	out := &lockedBuffer{}
	s := newLogSink(out, 0)
	s.Buffered().Write([]byte("access\n"))
	if out.String() != "access\n" {
		t.Fatalf("with interval 0 a line waited: %q", out.String())
	}
	s.Close()
}
