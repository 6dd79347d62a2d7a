package main

import (
	"io"
	"sync"
	"time"
)

// logSink is where both of hoard's loggers write. Access lines (one per
// request) are gathered in memory and written by a goroutine of the sink's own,
// when a buffer fills and every interval, so no request waits for a write(2) or
// for another request's; a write per request was about a twentieth of a small
// cache hit's CPU. Any other line is written at once, after every line before
// it, so the output keeps its order.
//
// Lines are only ever written whole: zerolog hands each event to Write as one
// complete line, and a buffer is handed on before a line that would not fit.
type logSink struct {
	outMu sync.Mutex // held while writing to out, so writes keep their order
	out   io.Writer

	mu      sync.Mutex // guards the buffers
	buf     []byte     // being filled
	full    [][]byte   // waiting for the writer, oldest first
	spare   [][]byte   // written, for reuse
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	buffers bool // false: nothing is buffered (interval 0)
}

const logSinkBuffer = 64 << 10

// newLogSink writes the buffered lines every interval until Close. With an
// interval of zero nothing is buffered.
func newLogSink(out io.Writer, interval time.Duration) *logSink {
	s := &logSink{out: out, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if interval <= 0 {
		close(s.done)
		return s
	}
	s.buffers = true
	s.buf = make([]byte, 0, logSinkBuffer)
	go s.writeEvery(interval)
	return s
}

func (s *logSink) writeEvery(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.writeOut(nil, true)
		case <-s.wake:
			s.writeOut(nil, false)
		case <-s.stop:
			return
		}
	}
}

// Buffered is the writer for access lines.
func (s *logSink) Buffered() io.Writer { return bufferedLines{s} }

// Write writes p at once, after the lines buffered before it.
func (s *logSink) Write(p []byte) (int, error) {
	if !s.buffers {
		s.outMu.Lock()
		defer s.outMu.Unlock()
		return s.out.Write(p)
	}
	s.writeOut(p, true)
	return len(p), nil
}

func (s *logSink) writeBuffered(p []byte) (int, error) {
	if !s.buffers {
		return s.Write(p)
	}
	s.mu.Lock()
	if len(s.buf)+len(p) > cap(s.buf) && len(s.buf) > 0 {
		s.full = append(s.full, s.buf)
		s.buf = s.newBufferLocked()
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	s.buf = append(s.buf, p...)
	s.mu.Unlock()
	return len(p), nil
}

func (s *logSink) newBufferLocked() []byte {
	if n := len(s.spare); n > 0 {
		b := s.spare[n-1]
		s.spare = s.spare[:n-1]
		return b[:0]
	}
	return make([]byte, 0, logSinkBuffer)
}

// writeOut writes the full buffers, then (with all) the one being filled, then
// line. Failed log writes have nowhere to be reported.
func (s *logSink) writeOut(line []byte, all bool) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	s.mu.Lock()
	pending := s.full
	s.full = nil
	if all && len(s.buf) > 0 {
		pending = append(pending, s.buf)
		s.buf = s.newBufferLocked()
	}
	s.mu.Unlock()
	for _, b := range pending {
		s.out.Write(b)
	}
	if line != nil {
		s.out.Write(line)
	}
	s.mu.Lock()
	for _, b := range pending {
		if len(s.spare) < 4 {
			s.spare = append(s.spare, b)
		}
	}
	s.mu.Unlock()
}

// Close stops the writer and writes out what is buffered.
func (s *logSink) Close() {
	select {
	case <-s.done:
	default:
		close(s.stop)
		<-s.done
	}
	if s.buffers {
		s.writeOut(nil, true)
	}
}

type bufferedLines struct{ s *logSink }

func (b bufferedLines) Write(p []byte) (int, error) { return b.s.writeBuffered(p) }
