package cache

import (
	"fmt"
	"hash"
	"runtime"
	"sync"
	"sync/atomic"
)

// A big blob's hashes cost about as much CPU as writing it, and a client's last
// byte waits only for those that verify it (the checksums the upstream declared:
// sha1 for Maven, sha512 for npm, sha256 for OCI). Those run on goroutines of
// their own, one per algorithm, beside the writes, so where a core is idle the
// last byte waits for the slowest of them, not for their sum. Each chunk is
// copied once for the lanes, since the caller reuses its buffer.
//
// The sha256 that names the blob, when it verifies nothing, is not waited for
// by any client: it trails the writes on a goroutine of its own, reading the
// temp file back (from the page cache) and yielding after each chunk, so it
// takes what CPU the fill leaves idle (all it needs, behind an upstream slower
// than the disk) and the commit waits for whatever is left.

// pipeMinSize: blobs declared smaller are hashed inline; a pipe is not worth it.
const pipeMinSize = 1 << 20

// pipeDepth is how many chunks a lane may hold before Write waits for it.
const pipeDepth = 8

type hashPipe struct {
	lanes   []chan *pipeChunk
	pending sync.WaitGroup // chunk hashings not yet done
	closed  bool
}

type pipeChunk struct {
	buf  *[]byte
	b    []byte
	refs atomic.Int32 // lanes still to hash it
}

var pipeBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func newHashPipe(hs []hash.Hash) *hashPipe {
	p := &hashPipe{}
	for _, h := range hs {
		lane := make(chan *pipeChunk, pipeDepth)
		p.lanes = append(p.lanes, lane)
		go func() {
			for c := range lane {
				h.Write(c.b)
				if c.refs.Add(-1) == 0 && c.buf != nil {
					pipeBuffers.Put(c.buf)
				}
				p.pending.Done()
			}
		}()
	}
	return p
}

// write hands a copy of b to every lane.
func (p *hashPipe) write(b []byte) {
	c := &pipeChunk{}
	if bp := pipeBuffers.Get().(*[]byte); len(b) <= cap(*bp) {
		c.buf, c.b = bp, (*bp)[:len(b)]
	} else {
		pipeBuffers.Put(bp)
		c.b = make([]byte, len(b))
	}
	copy(c.b, b)
	c.refs.Store(int32(len(p.lanes)))
	p.pending.Add(len(p.lanes))
	for _, lane := range p.lanes {
		lane <- c
	}
}

// drain waits until every byte written so far is hashed; the hashes may then be
// read by the caller.
func (p *hashPipe) drain() { p.pending.Wait() }

// close drains the pipe and ends its goroutines; it may be called more than once.
func (p *hashPipe) close() {
	if p.closed {
		return
	}
	p.closed = true
	p.drain()
	for _, lane := range p.lanes {
		close(lane)
	}
}

// shaTrail hashes the temp file into the writer's sha256 behind the writes.
type shaTrail struct {
	wake  chan struct{} // more was written (capacity 1: a pending wake is enough)
	stop  chan struct{} // closed once the writes are over: hash the rest and end
	done  chan struct{} // closed when the goroutine has ended
	abort atomic.Bool   // the writer was cancelled: end now
	off   int64         // bytes hashed; read once done is closed
	err   error         // a read failure; read once done is closed
}

func (w *Writer) startShaTrail() {
	t := &shaTrail{wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	w.trail = t
	go func() {
		defer close(t.done)
		bp := pipeBuffers.Get().(*[]byte)
		defer pipeBuffers.Put(bp)
		for !t.abort.Load() {
			if ahead := w.written.Load() - t.off; ahead > 0 {
				k, err := w.f.ReadAt((*bp)[:min(ahead, int64(len(*bp)))], t.off)
				w.sha.Write((*bp)[:k])
				t.off += int64(k)
				if err != nil && k == 0 {
					t.err = fmt.Errorf("cache: read back temp file: %w", err)
					return
				}
				runtime.Gosched() // the writes and the verifying lanes come first
				continue
			}
			select {
			case <-t.wake:
			case <-t.stop:
				if w.written.Load() == t.off {
					return
				}
			}
		}
	}()
}

// nudge tells the trail more was written.
func (t *shaTrail) nudge() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// finish waits for the trail to hash every byte written (the writes are over)
// and reports a read failure; it may be called more than once.
func (t *shaTrail) finish() error {
	select {
	case <-t.stop:
	default:
		close(t.stop)
	}
	<-t.done
	return t.err
}

// cancel ends the trail without waiting for it to catch up.
func (t *shaTrail) cancel() {
	t.abort.Store(true)
	t.finish()
}
