package cache

import (
	"fmt"
	"hash"
	"io"
	"sync"
	"sync/atomic"
)

// A big blob's hashes cost about as much CPU as writing it, and a client's last
// byte waits only for those that verify it (the checksums the upstream declared:
// sha1 for Maven, sha512 for npm, sha256 for OCI). Those run on goroutines of
// their own, one per algorithm, beside the writes, so where a core is idle the
// last byte waits for the slowest of them, not for their sum. The sha256 that
// names the blob, when it verifies nothing, is not on the client's path at all:
// the commit reads it from the temp file (page cache) after the answer.
// Each chunk is copied once for the lanes, since the caller reuses its buffer.

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

// catchUpSha hashes into w.sha what was written past w.shaOff, read back from the
// temp file: the digest of a blob whose sha256 verifies nothing is made here, at
// the commit, not while clients wait. The caller holds w.mu.
func (w *Writer) catchUpSha() error {
	n := w.written.Load() - w.shaOff
	if !w.lazySha || n <= 0 {
		return nil
	}
	bp := pipeBuffers.Get().(*[]byte)
	defer pipeBuffers.Put(bp)
	if _, err := io.CopyBuffer(w.sha, io.NewSectionReader(w.f, w.shaOff, n), *bp); err != nil {
		return fmt.Errorf("cache: read back temp file: %w", err)
	}
	w.shaOff += n
	return nil
}
