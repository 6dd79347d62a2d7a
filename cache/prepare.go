package cache

import (
	"os"
	"sync"
)

// A fill's temp file can be created while its upstream request is in flight,
// where the fill would otherwise sit idle, instead of after the answer's first
// bytes arrive, on every client's path. Creating a file and its directory
// entry was 0.5 to 1 ms of a small document's cold answer on a server pinned
// to one CPU, as much as the rest of Hoard's work on it. A Prepared that was
// never started, or whose creation failed, leaves its Writer to create the
// file itself, as it always did, and to report any failure.

// Prepared is a temp file being made ready for a coming Writer
// (WriterOptions.Prepared). Nil is a valid Prepared that prepares nothing.
type Prepared struct {
	s       *Store
	mu      sync.Mutex
	started bool
	done    bool              // taken by a Writer or discarded
	ready   chan preparedFile // the creation's result, once started (capacity 1)
}

type preparedFile struct {
	f   *os.File
	err error
}

// Prepare returns a Prepared for a Writer that may follow; Start creates its file.
func (s *Store) Prepare() *Prepared {
	if s.opts.ReadOnly {
		return nil
	}
	return &Prepared{s: s, ready: make(chan preparedFile, 1)}
}

// Start creates the file on a goroutine of its own; later calls do nothing.
func (p *Prepared) Start() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started || p.done {
		return
	}
	p.started = true
	go func() {
		f, err := p.s.createTemp()
		p.ready <- preparedFile{f: f, err: err}
	}()
}

// claim marks p done and reports whether it had been started before.
func (p *Prepared) claim() bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	wasStarted := p.started && !p.done
	p.done = true
	return wasStarted
}

// take hands the file to a Writer, waiting for its creation if it is still
// under way; nil when none was started or its creation failed.
func (p *Prepared) take() *os.File {
	if !p.claim() {
		return nil
	}
	return (<-p.ready).f
}

// Discard removes the file unless a Writer took it; always safe to defer.
func (p *Prepared) Discard() {
	if !p.claim() {
		return
	}
	if r := <-p.ready; r.f != nil {
		_ = r.f.Close()
		_ = os.Remove(r.f.Name())
	}
}
