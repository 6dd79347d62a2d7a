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
// With one CPU for all goroutines, that hashing must not hold the CPU while a
// request or another fill waits: Go preempts a busy goroutine only every 10 ms,
// and only a goroutine that parks lets the scheduler poll the network. So there
// the name is hashed in small chunks (followChunk, a third of a millisecond
// each), each after a short sleep, and only after a sleep through which the
// process left the CPU mostly idle (cpuGauge):
//   - as the body arrives, by a follower reading the temp file back behind the
//     writes. A body that arrives slower than the CPU could hash it leaves such
//     gaps; one at full speed does not, and hashing during it would delay its
//     last byte by as much (25 ms of a 50 MB jar's 32, measured when the
//     follower hashed whenever the writer paused).
//   - at the commit, for what the follower has not hashed: in the gaps the next
//     requests leave (the next miss's wait for its upstream), for nameDeferMax
//     at most, and after that whatever else wants the CPU. Meanwhile the fill
//     is still in flight: a request for the blob reads its finished temp file,
//     and a crash leaves nothing indexed.
// Hashed whole at the commit instead, a 50 MB jar's name put 32 ms of hashing
// on the next request's first byte.

// lateNameMin: smaller blobs are hashed as they arrive; reading them back is not
// worth it.
const lateNameMin = 1 << 20

// nameBuffers recycle the buffer a late name (or a trail) is read back through:
// one chunk.
var nameBuffers = sync.Pool{New: func() any { b := make([]byte, 2<<20); return &b }}

// nameYield is the sleep before each chunk hashed on one CPU; the runtime's
// poller rounds it up to a millisecond when nothing else wants the CPU.
const nameYield = 50 * time.Microsecond

// followChunk is what is hashed on one CPU between two sleeps: about a third of
// a millisecond of sha256 here, which is how long it may hold the CPU from the
// copy loop or a request.
const followChunk = 512 << 10

// nameDeferMax bounds how long a commit's name waits for an idle CPU, so the
// window before a blob is durable stays short under a steady stream of misses.
var nameDeferMax = 2 * time.Second // a variable for tests

// startNameFollower has the name hashed behind the writes where one CPU runs
// everything (see above); with more, the name is hashed at the commit on a CPU
// the next request does not need.
func (w *Writer) startNameFollower() {
	if w.nameLater && runtime.GOMAXPROCS(0) == 1 {
		w.follower = newTrail(w, []hash.Hash{w.sha}, followChunk, nameYield, true)
	}
}

// cpuGauge tells whether the process left the CPU mostly idle since its reset:
// whether it used less than half the wall-clock time that passed. Where the
// process's CPU time is unknown, it never is.
type cpuGauge struct {
	wall time.Time
	cpu  time.Duration
}

func (g *cpuGauge) reset() { g.wall, g.cpu = time.Now(), processCPU() }

// awaitIdle sleeps nameYield at a time until a sleep finds the CPU mostly idle,
// or at least once if the deadline has passed.
func awaitIdle(deadline time.Time) {
	var g cpuGauge
	for {
		g.reset()
		time.Sleep(nameYield)
		if g.idle() || time.Now().After(deadline) {
			return
		}
	}
}

// cpuUnknown is what processCPU returns where it cannot tell.
const cpuUnknown time.Duration = -1 << 62

func (g *cpuGauge) idle() bool {
	if g.wall.IsZero() || g.cpu == cpuUnknown {
		return false
	}
	used := processCPU() - g.cpu
	return used >= 0 && 2*used < time.Since(g.wall)
}

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
	oneCPU := runtime.GOMAXPROCS(0) == 1
	if oneCPU {
		buf = buf[:followChunk]
	}
	began := time.Now()
	want := w.written.Load()
	for off := w.nameFrom(); off < want; {
		if oneCPU {
			awaitIdle(began.Add(nameDeferMax))
		}
		k, err := w.f.ReadAt(buf[:min(want-off, int64(len(buf)))], off)
		w.sha.Write(buf[:k])
		off += int64(k)
		if err != nil && off < want {
			return fmt.Errorf("cache: read back temp file: %w", err)
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
