package main

import (
	"io"
	"sync"
	"time"
)

// logSink is where both of hoard's loggers write. Access lines (one per
// request) are gathered in a buffer written out every interval or when it
// fills; any other line is written at once, after whatever is buffered, so the
// output keeps its order. A write(2) per request was about a twentieth of a
// small cache hit's CPU.
//
// Lines are only ever written whole: zerolog hands each event to Write as one
// complete line, and the buffer is flushed before a line that would not fit.
type logSink struct {
	mu   sync.Mutex
	out  io.Writer
	buf  []byte
	stop chan struct{}
	done chan struct{}
}

const logSinkBuffer = 32 << 10

// newLogSink flushes the buffered lines every interval until Close. With an
// interval of zero nothing is buffered.
func newLogSink(out io.Writer, interval time.Duration) *logSink {
	s := &logSink{out: out, stop: make(chan struct{}), done: make(chan struct{})}
	if interval <= 0 {
		close(s.done)
		return s
	}
	s.buf = make([]byte, 0, logSinkBuffer)
	go s.flushEvery(interval)
	return s
}

func (s *logSink) flushEvery(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.mu.Lock()
			s.flushLocked()
			s.mu.Unlock()
		case <-s.stop:
			return
		}
	}
}

// Buffered is the writer for access lines.
func (s *logSink) Buffered() io.Writer { return bufferedLines{s} }

// Write writes p at once, after the lines buffered before it.
func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushLocked()
	return s.out.Write(p)
}

func (s *logSink) writeBuffered(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cap(s.buf) == 0 {
		return s.out.Write(p)
	}
	if len(s.buf)+len(p) > cap(s.buf) {
		s.flushLocked()
	}
	if len(p) > cap(s.buf) {
		return s.out.Write(p)
	}
	s.buf = append(s.buf, p...)
	return len(p), nil
}

func (s *logSink) flushLocked() {
	if len(s.buf) > 0 {
		s.out.Write(s.buf) // nowhere to report a failed log write
		s.buf = s.buf[:0]
	}
}

// Close stops the timer and writes out what is buffered.
func (s *logSink) Close() {
	select {
	case <-s.done:
	default:
		close(s.stop)
		<-s.done
	}
	s.mu.Lock()
	s.flushLocked()
	s.mu.Unlock()
}

type bufferedLines struct{ s *logSink }

func (b bufferedLines) Write(p []byte) (int, error) { return b.s.writeBuffered(p) }
