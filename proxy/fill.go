package proxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"hoard/cache"
)

// outcome is how a fill ended.
type outcome int

const (
	outcomeRunning     outcome = iota
	outcomeStored              // the upstream's 200 body is committed to the cache
	outcomeNotModified         // the upstream confirmed the cached entry (304)
	outcomeRelayed             // the upstream answered another status; relayed, not cached
	outcomeFailed              // no usable answer: transport error, timeout, bad body
)

// relayed is an upstream answer passed on to clients without caching it.
type relayed struct {
	status int
	header http.Header
	body   []byte
}

// fill is one upstream fetch that any number of clients wait on. Bytes are written to
// a temp file as they arrive; every client tails that file, so the first byte reaches
// all of them at once and a client that leaves ends only its own stream.
type fill struct {
	key   string
	ready chan struct{} // closed once streaming starts or the fill ends
	done  chan struct{} // closed once the fill ends

	mu          sync.Mutex
	wake        chan struct{} // closed and replaced whenever progress is made
	outcome     outcome
	err         error
	relay       relayed
	contentType string
	size        int64 // declared length, -1 when unknown
	tmpPath     string
	written     int64
	entry       cache.Entry
	readyClosed bool
	// leave takes the fill out of its group; it runs before the outcome is published,
	// so a request that arrives after a failed fill starts a new one instead of
	// inheriting the old answer.
	leave func()
	// verified: every declared byte arrived and matched its checksums; the last
	// byte may go out before the commit's fsync.
	verified bool
	// whole is a small body read whole and verified, served from memory while it
	// is committed: the commit's fsyncs are not on its clients' path.
	whole      []byte
	wholeEntry cache.Entry
	// writing counts the clients writing whole out; wholeDone is closed when
	// the last of them is done, for a commit waiting on it (awaitWholeWritten).
	writing   int
	wholeDone chan struct{}
	// superseded: the key changed upstream through this gateway (a publish or a
	// delete) while the fill ran; what it fetched must not be committed.
	superseded bool
	committing bool
}

// errSuperseded ends a fill whose key was changed upstream while it ran.
var errSuperseded = errors.New("the content changed upstream while it was fetched")

func newFill(key string) *fill {
	return &fill{key: key, ready: make(chan struct{}), done: make(chan struct{}), wake: make(chan struct{}), size: -1, leave: func() {}}
}

// fillGroup coalesces fills: one per cache key and caller identity, however many
// clients ask at once. Callers with different credentials never share a fill: the
// upstream may answer them differently (a 401 for one, the body for another).
type fillGroup struct {
	mu sync.Mutex
	m  map[string]*fill
	// settling: fills whose clients have their answer while the commit runs, by
	// cache key. Another caller missing the key in that moment waits for the
	// commit rather than fetching it again (see awaitSettling).
	settling map[string]*fill
}

// join returns the fill in flight for key and who, or registers a new one and reports
// that the caller leads it (and must run it).
func (g *fillGroup) join(key, who string) (f *fill, leader bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	id := key + "\x00" + who
	if f, ok := g.m[id]; ok {
		return f, false
	}
	if g.m == nil {
		g.m = map[string]*fill{}
	}
	f = newFill(key)
	f.leave = sync.OnceFunc(func() { g.forget(id, f) })
	g.m[id] = f
	return f, true
}

// forget removes the fill, unless a newer one took its place.
func (g *fillGroup) forget(id string, f *fill) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m[id] == f {
		delete(g.m, id)
	}
	if g.settling[f.key] == f {
		delete(g.settling, f.key)
	}
}

// settle records that f answered its clients and is committing.
func (g *fillGroup) settle(f *fill) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.settling == nil {
		g.settling = map[string]*fill{}
	}
	g.settling[f.key] = f
}

// isSettling reports whether a fill of key has answered its clients and is
// committing: its content is as good as cached.
func (g *fillGroup) isSettling(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.settling[key] != nil
}

// awaitSettling waits for the commit of a fill of key that has already answered
// its clients, if there is one, and reports whether it waited. Content one client
// was given is then in the cache for the next, whoever asks.
func (g *fillGroup) awaitSettling(ctx context.Context, key string) bool {
	return g.awaitSettlingFor(ctx, key, "")
}

// awaitSettlingFor is awaitSettling for a caller about to join a fill of key as
// who: one the settling fill itself would serve (same key and identity) does not
// wait, it joins the fill and is answered from its verified bytes at once.
func (g *fillGroup) awaitSettlingFor(ctx context.Context, key, who string) bool {
	g.mu.Lock()
	f := g.settling[key]
	own := f != nil && who != "" && g.m[key+"\x00"+who] == f
	g.mu.Unlock()
	if f == nil || own {
		return false
	}
	select {
	case <-f.done:
	case <-ctx.Done():
	}
	return true
}

// supersede stops the fills in flight for key from committing what they fetched,
// and waits for a commit already under way: the caller is about to change key's
// index entry after a publish or delete, and must not be overtaken by an older fill.
func (g *fillGroup) supersede(key string) {
	g.mu.Lock()
	var running []*fill
	for _, f := range g.m {
		if f.key == key {
			running = append(running, f)
		}
	}
	g.mu.Unlock()
	for _, f := range running {
		f.leave() // requests from now on start a fill of their own
		f.mu.Lock()
		f.superseded = true
		committing := f.committing
		f.mu.Unlock()
		if committing {
			<-f.done
		}
	}
}

// progressLocked wakes every tailing client. f.mu must be held.
func (f *fill) progressLocked() {
	close(f.wake)
	f.wake = make(chan struct{})
}

func (f *fill) markReadyLocked() {
	if !f.readyClosed {
		f.readyClosed = true
		close(f.ready)
	}
}

// startStreaming publishes the temp file clients tail from.
func (f *fill) startStreaming(tmpPath, contentType string, size, written int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tmpPath, f.contentType, f.size, f.written = tmpPath, contentType, size, written
	f.markReadyLocked()
	f.progressLocked()
}

func (f *fill) addWritten(n int) {
	f.mu.Lock()
	f.written += int64(n)
	f.progressLocked()
	f.mu.Unlock()
}

// end records the outcome and releases every waiter.
func (f *fill) end(o outcome, entry cache.Entry, rel relayed, err error) {
	f.leave()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outcome, f.entry, f.relay, f.err = o, entry, rel, err
	f.markReadyLocked()
	f.progressLocked()
	close(f.done)
}

// commit runs fn (the cache commit: fsync, rename, index) and records the outcome.
// The lock is not held meanwhile, so clients keep streaming verified bytes while the
// fsync runs; one that opens the temp file just as it is renamed waits for the
// outcome instead (see openTail).
func (f *fill) commit(fn func() (cache.Entry, error)) {
	f.mu.Lock()
	if f.superseded {
		f.mu.Unlock()
		f.end(outcomeFailed, cache.Entry{}, relayed{}, errSuperseded)
		return
	}
	f.committing = true
	f.mu.Unlock()
	entry, err := fn()
	f.leave() // after the commit indexed the entry: newcomers find it in the cache
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.outcome, f.err = outcomeFailed, err
	} else {
		f.outcome, f.entry = outcomeStored, entry
	}
	f.markReadyLocked()
	f.progressLocked()
	close(f.done)
}

// publishWhole releases a small verified body, described by entry as it will be
// indexed, to every waiting client before the commit runs.
func (f *fill) publishWhole(entry cache.Entry, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.whole, f.wholeEntry = body, entry
	f.markReadyLocked()
	f.progressLocked()
}

// beginWhole and endWhole bracket a client's write of the whole body.
func (f *fill) beginWhole() {
	f.mu.Lock()
	f.writing++
	f.mu.Unlock()
}

func (f *fill) endWhole() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.writing--; f.writing == 0 && f.wholeDone != nil {
		close(f.wholeDone)
		f.wholeDone = nil
	}
}

// awaitWholeWritten waits, at most max, until no client is writing the whole
// body. On one processor the commit's write and fsync would otherwise take
// turns with the answers still going out, and a big document's last byte would
// wait on its own commit; a client slower than max does not hold the commit up.
func (f *fill) awaitWholeWritten(max time.Duration) {
	f.mu.Lock()
	if f.writing == 0 {
		f.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	f.wholeDone = ch
	f.mu.Unlock()
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	}
}

// releaseVerified checks what a streaming fill wrote and, when it is whole and
// matches its checksums, releases the held-back last byte to the clients
// tailing it. Otherwise it ends the fill as failed and reports false.
func (f *fill) releaseVerified(w *cache.Writer) bool {
	if err := w.Verify(); err != nil {
		f.end(outcomeFailed, cache.Entry{}, relayed{}, err)
		return false
	}
	f.mu.Lock()
	f.verified = true
	f.progressLocked()
	f.mu.Unlock()
	return true
}

// snapshot is a consistent view of the fill for one waiter.
type snapshot struct {
	verified    bool
	outcome     outcome
	err         error
	relay       relayed
	entry       cache.Entry
	contentType string
	size        int64
	written     int64
	wake        chan struct{}
	whole       []byte
	wholeEntry  cache.Entry
}

func (f *fill) snapshot() snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return snapshot{f.verified, f.outcome, f.err, f.relay, f.entry, f.contentType, f.size, f.written, f.wake, f.whole, f.wholeEntry}
}

// openTail opens the bytes a streaming client reads: the temp file while the fill
// runs, the committed blob once it is stored.
func (f *fill) openTail(store *cache.Store) (*os.File, error) {
	f.mu.Lock()
	running, path := f.outcome == outcomeRunning, f.tmpPath
	f.mu.Unlock()
	if running {
		file, err := os.Open(path)
		if !errors.Is(err, os.ErrNotExist) {
			return file, err
		}
		<-f.done // renamed by the commit, or removed by a failure: read the outcome
	}
	s := f.snapshot()
	switch {
	case s.outcome == outcomeStored:
		return store.OpenBlob(s.entry)
	case s.err != nil:
		return nil, s.err
	}
	return nil, errors.New("fill ended without content")
}

// errClientGone ends one client's stream; the fill goes on for the others.
var errClientGone = errors.New("client went away")

// tail copies the fill's bytes to w as they arrive. It returns nil only when every
// byte of a committed blob was sent; any other end is an error the caller turns into
// a broken transfer.
func (f *fill) tail(ctx context.Context, file *os.File, w io.Writer) error {
	var off int64
	for {
		s := f.snapshot()
		avail := s.written
		if s.outcome == outcomeStored {
			avail = s.entry.Size
		} else if s.size > 0 && avail >= s.size && !s.verified {
			// The last byte of a declared length waits for verification: a client
			// holding every byte could not tell a body that then failed it from a good
			// one, so a failed fill must leave it at least one byte short.
			avail = s.size - 1
		}
		if off < avail {
			n, err := io.CopyN(w, file, avail-off)
			off += n
			if err != nil {
				if ctx.Err() != nil {
					return errClientGone
				}
				return err
			}
			continue
		}
		if s.verified && off == s.size {
			// Every verified byte is out: the answer is complete, whatever the
			// commit (fsync, rename, index) still does, so the connection is free
			// for the client's next request now.
			return nil
		}
		switch s.outcome {
		case outcomeStored:
			if off != s.entry.Size {
				return errors.New("stored size differs from streamed size")
			}
			return nil
		case outcomeFailed, outcomeRelayed, outcomeNotModified:
			if s.err != nil {
				return s.err
			}
			return errors.New("fill ended without content")
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return errClientGone
		}
	}
}
