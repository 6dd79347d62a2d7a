package cache

import (
	"fmt"
	"hash"
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
// goroutine that parks lets the scheduler poll the network. So there, at the
// commit, the name is hashed a chunk at a time with a short sleep after each: a
// client's request waits at most one chunk's hashing (about a millisecond) for
// its turn.
//
// On one CPU the name is also hashed as the body arrives, by a follower that
// reads the temp file back behind the writes, a small chunk (followChunk) at a
// time, and only after a sleep through which the process left the CPU mostly
// idle (sleptIdle). A body that arrives slower than the CPU could hash it
// leaves such gaps, and the commit then hashes only what the follower has not;
// without it, a 50 MB jar from a paced upstream put its whole name (32 ms) on
// the next request's first byte. A body at full speed leaves none: hashing
// during it delayed its last byte by as much (25 ms of 32, measured when the
// follower hashed whenever the writer paused).
//
// Putting off the commit's hashing until the CPU was idle (for 2 s at most) was
// tried and not kept: it widens the window before a blob is durable, moves the
// commit's fsyncs and rename into the next fill's writes, and back-to-back
// 50 MB jars measured anywhere from 30 ms faster to 130 ms slower with it.

// lateNameMin: smaller blobs are hashed as they arrive; reading them back is not
// worth it.
const lateNameMin = 1 << 20

// nameBuffers recycle the buffer a late name (or a trail) is read back through:
// one chunk.
var nameBuffers = sync.Pool{New: func() any { b := make([]byte, 2<<20); return &b }}

// nameYield is the pause after each chunk hashed on one CPU, and the shortest
// sleep of a follower's probe; the runtime's poller rounds it up to a
// millisecond when nothing else wants the CPU. (Smaller chunks at the commit
// were measured no better: the name then spreads further into the next fill.)
const nameYield = 50 * time.Microsecond

// followChunk is what a follower hashes after each probe: about a third of a
// millisecond of sha256 here, which is how long it may hold the CPU from the
// copy loop or a request.
const followChunk = 512 << 10

// startNameFollower has the name hashed behind the writes where one CPU runs
// everything (see above); with more, the name is hashed at the commit on a CPU
// the next request does not need.
func (w *Writer) startNameFollower() {
	if w.nameLater && runtime.GOMAXPROCS(0) == 1 {
		w.follower = newTrail(w, []hash.Hash{w.sha}, followChunk, true)
	}
}

// sleptIdle sleeps nameYield and reports whether the process left the CPU
// mostly idle meanwhile: whether it used less than half the wall-clock time
// that passed. Where the process's CPU time is unknown, it never did. A
// follower with bytes to hash asks about once a millisecond, a few
// microseconds each time.
func sleptIdle() bool {
	wall, cpu := time.Now(), processCPU()
	time.Sleep(nameYield)
	if cpu == cpuUnknown {
		return false
	}
	used := processCPU() - cpu
	return used >= 0 && 2*used < time.Since(wall)
}

// cpuUnknown is what processCPU returns where it cannot tell.
const cpuUnknown time.Duration = -1 << 62

// nameFrom stops the follower, if any, and returns how much of the temp file it
// hashed into w.sha; after a failure it resets w.sha, and the name starts over.
func (w *Writer) nameFrom() int64 {
	if w.follower == nil {
		return 0
	}
	w.follower.end()
	off, err := w.follower.hashed()
	w.follower = nil
	if err != nil {
		w.sha.Reset()
		return 0
	}
	return off
}

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
	want := w.written.Load()
	for off := w.nameFrom(); off < want; {
		k, err := w.f.ReadAt(buf[:min(want-off, int64(len(buf)))], off)
		w.sha.Write(buf[:k])
		off += int64(k)
		if err != nil && off < want {
			return fmt.Errorf("cache: read back temp file: %w", err)
		}
		if yield && off < want {
			time.Sleep(nameYield)
		}
	}
	// The follower read the file as it grew: it must still hold what was hashed.
	if fi, err := w.f.Stat(); err != nil || fi.Size() != want {
		return fmt.Errorf("cache: temp file changed under its name: %d bytes expected (stat: %v)", want, err)
	}
	w.nameLater = false
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
