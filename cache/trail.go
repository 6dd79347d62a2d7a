package cache

import (
	"fmt"
	"hash"
	"runtime"
	"sync"
)

// Where more than one CPU is there to take it, a big blob's verifying checksums
// are not hashed by the goroutine that writes it: a trail reads the temp file
// back (from the page cache) behind the writes and hashes it on a goroutine of
// its own, so the writes, and the clients tailing them, go at the speed of the
// disk and the network, and the last byte waits only for the trail's last chunk.
// On one CPU there is no idle core to run a trail: it would only add its
// read-back and its scheduling to the same CPU, so the writer hashes inline.

// trailWanted reports whether a blob of size (-1: unknown) written with these
// verifying hashes gets a trail.
func trailWanted(size int64, verifying int) bool {
	return verifying > 0 && (size < 0 || size >= lateNameMin) && runtime.GOMAXPROCS(0) > 1
}

// hashTrail hashes the writer's temp file into hs, behind the writes.
type hashTrail struct {
	w    *Writer
	hs   []hash.Hash
	wake chan struct{} // more was written (capacity 1: one pending wake is enough)
	stop chan struct{} // closed when the writer is finished: the trail ends
	done chan struct{} // closed when the trail's goroutine has ended
	// chunk is the most hashed between two looks at stop; idleOnly hashes a
	// chunk only after a sleep that found the CPU mostly idle (a name
	// follower's, name.go).
	chunk    int
	idleOnly bool

	mu     sync.Mutex
	caught *sync.Cond // broadcast whenever off moves or the trail fails or ends
	off    int64      // bytes hashed
	err    error      // a failure to read the temp file back
	ended  bool
}

func (w *Writer) startTrail(hs []hash.Hash) {
	w.trail = newTrail(w, hs, 0, false)
}

// newTrail starts a trail hashing w's temp file into hs, chunk bytes at a time
// (0: a whole buffer), and, idleOnly, each only after a sleep through which the
// CPU was mostly idle.
func newTrail(w *Writer, hs []hash.Hash, chunk int, idleOnly bool) *hashTrail {
	t := &hashTrail{w: w, hs: hs, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		chunk: chunk, idleOnly: idleOnly}
	t.caught = sync.NewCond(&t.mu)
	go t.run()
	return t
}

func (t *hashTrail) run() {
	defer close(t.done)
	defer t.finish(nil)
	bp := nameBuffers.Get().(*[]byte)
	defer nameBuffers.Put(bp)
	buf := *bp
	if t.chunk > 0 {
		buf = buf[:t.chunk]
	}
	var off int64
	for {
		if t.stopped() {
			return
		}
		if ahead := t.w.written.Load() - off; ahead > 0 {
			if t.idleOnly && !sleptIdle() {
				continue
			}
			k, err := t.w.f.ReadAt(buf[:min(ahead, int64(len(buf)))], off)
			for _, h := range t.hs {
				h.Write(buf[:k])
			}
			off += int64(k)
			if err != nil && k == 0 {
				t.finish(fmt.Errorf("cache: read back temp file: %w", err))
				return
			}
			t.mu.Lock()
			t.off = off
			t.caught.Broadcast()
			t.mu.Unlock()
			continue
		}
		select {
		case <-t.wake:
		case <-t.stop:
			return
		}
	}
}

func (t *hashTrail) stopped() bool {
	select {
	case <-t.stop:
		return true
	default:
		return false
	}
}

// finish records the trail's end (and its failure, if any) for waiters.
func (t *hashTrail) finish(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = err
	}
	t.ended = true
	t.caught.Broadcast()
}

// nudge tells the trail more was written.
func (t *hashTrail) nudge() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// catchUp waits until the trail has hashed n bytes; its hashes may then be read
// until more is written. The caller holds w.mu, so nothing more is.
func (t *hashTrail) catchUp(n int64) error {
	t.nudge()
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.off < n && t.err == nil && !t.ended {
		t.caught.Wait()
	}
	if t.err != nil {
		return t.err
	}
	if t.off < n {
		return fmt.Errorf("cache: hashing ended at %d of %d bytes", t.off, n)
	}
	return nil
}

// end stops the trail and waits for its goroutine; it may be called more than
// once, and on a nil trail (none was started).
func (t *hashTrail) end() {
	if t == nil {
		return
	}
	if !t.stopped() {
		close(t.stop)
	}
	<-t.done
}

// hashed is how far the trail got, once ended, and why it stopped short if it
// failed.
func (t *hashTrail) hashed() (int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.off, t.err
}
