package cache

import (
	"crypto/sha256"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// The sha256 of a blob is its name in the store; it is a verification only when
// the upstream declared it (an OCI digest). When another checksum verifies the
// body (Maven's sha1, npm's sha512) or nothing does, hashing sha256 as the bytes
// arrive puts about 30 ms per 50 MB on every client's path for nothing a client
// waits on, and on a server with one CPU nothing else can take it. Such a blob is
// named at its commit instead, from its temp file (still in the page cache),
// after its last byte went out and while its fsync runs.
//
// With one CPU for all goroutines, that hashing must not hold the CPU while the
// next request waits: Go preempts a busy goroutine only every 10 ms, and only a
// goroutine that parks lets the scheduler poll the network. So there, the name
// is hashed a chunk at a time with a short sleep after each: a client's request
// waits at most one chunk's hashing (about a millisecond) for its turn.

// lateNameMin: smaller blobs are hashed as they arrive; reading them back is not
// worth it.
const lateNameMin = 1 << 20

// nameBuffers recycle the buffer a late name (or a trail) is read back through:
// one chunk.
var nameBuffers = sync.Pool{New: func() any { b := make([]byte, 2<<20); return &b }}

// nameYield is the pause after each chunk hashed on one CPU; the runtime's
// poller rounds it up to a millisecond when nothing else wants the CPU. (Smaller
// chunks were measured no better: the name then spreads further into the next
// fill.)
const nameYield = 50 * time.Microsecond

func expects(cs []Checksum, algo string) bool {
	for _, c := range cs {
		if c.Algo == algo {
			return true
		}
	}
	return false
}

// name hashes the temp file into w.sha when the blob is named late and is not
// yet; the caller holds w.mu and has done writing.
func (w *Writer) name() error {
	if !w.nameLater {
		return nil
	}
	bp := nameBuffers.Get().(*[]byte)
	defer nameBuffers.Put(bp)
	buf := *bp
	yield := runtime.GOMAXPROCS(0) == 1
	h := sha256.New()
	want := w.written.Load()
	for off := int64(0); off < want; {
		k, err := w.f.ReadAt(buf[:min(want-off, int64(len(buf)))], off)
		h.Write(buf[:k])
		off += int64(k)
		if err != nil && off < want {
			return fmt.Errorf("cache: read back temp file: %w", err)
		}
		if yield && off < want {
			time.Sleep(nameYield)
		}
	}
	w.sha, w.nameLater = h, false
	return nil
}

// syncAndName makes the temp file durable and, for a blob named late, hashes it
// meanwhile: the fsync mostly waits on the disk, the hashing on the CPU.
func (w *Writer) syncAndName() error {
	if !w.nameLater {
		if err := w.f.Sync(); err != nil {
			return fmt.Errorf("cache: fsync temp file: %w", err)
		}
		return nil
	}
	synced := make(chan error, 1)
	go func() { synced <- w.f.Sync() }()
	nameErr := w.name()
	if err := <-synced; err != nil {
		return fmt.Errorf("cache: fsync temp file: %w", err)
	}
	return nameErr
}
