package proxy

import (
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"time"

	"hoard/cache"
)

// A body read whole (small content, or a document rewritten in memory) is
// verified in memory and answered from memory as soon as its temp file is
// created and its room on disk reserved (cache.Store.WriteWhole): the file's
// bytes, the fsyncs, the rename and the index write, with the document's
// checksum table, all follow the answer, and none of them is on a client's
// path. Reserving first keeps a full disk's answer what it was, a clean 507
// before any byte, rather than content the cache could not take. The
// guarantees are those of a streamed body: what fails verification is never
// answered, and what is answered before the commit is indexed only once the
// commit has made it durable (a crash in between leaves nothing indexed, and
// the next request fetches it again).

// verifyWhole checks a body held in memory as a cache.Writer checks what it
// was given: the declared size (size < 0: none) and every expected checksum.
func verifyWhole(body []byte, size int64, expected []cache.Checksum) error {
	if size >= 0 && int64(len(body)) != size {
		return fmt.Errorf("%w: got %d bytes, expected %d", cache.ErrVerify, len(body), size)
	}
	for _, c := range expected {
		if !knownAlgo(c.Algo) {
			return fmt.Errorf("cache: unsupported checksum algorithm %q", c.Algo)
		}
		if got := hexDigest(c.Algo, body); got != c.Hex && !equalFoldASCII(got, c.Hex) {
			return fmt.Errorf("%w: %s is %s, expected %s", cache.ErrVerify, c.Algo, got, truncated(c.Hex, 128))
		}
	}
	return nil
}

func knownAlgo(algo string) bool {
	switch algo {
	case "md5", "sha1", "sha256", "sha512":
		return true
	}
	return false
}

// equalFoldASCII compares hex digests case-insensitively, as a Writer does.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func truncated(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// answerThenStore writes a verified body to its temp file, hands it to the fill's
// clients, then commits it with its checksum table, if it has one, in the
// commit's own index write. The table is kept in memory for its artifacts'
// fills in between. limit is the size the temp file may reach (0: no limit);
// the caller checked it already. body is the clients' and the hot tier's from
// then on: nothing changes it.
func (e *engine) answerThenStore(f *fill, resp *http.Response, spec fillSpec, body []byte, limit int64, expected []cache.Checksum, table map[string]cache.Checksum) {
	w, err := e.store.WriteWhole(cache.WriterOptions{Expected: expected, MaxSize: limit, Prepared: spec.temp}, body)
	if err != nil {
		f.end(outcomeFailed, cache.Entry{}, relayed{}, err)
		return
	}
	defer w.Cancel()
	entry := e.entryFor(resp, spec)
	entry.Key, entry.Digest, entry.Size = f.key, w.Digest(), int64(len(body)) // hashed as it was written
	if table != nil {
		e.pendingSums.put(entry.Digest, table)
		defer e.pendingSums.drop(entry.Digest)
		w.KeepSums(table)
	}
	e.grantFiller(spec)
	e.fills.settle(f)
	f.publishWhole(entry, body)
	// The waiting clients are runnable now; let them write their answers before
	// the commit's writes and fsyncs take the processor. On one (GOMAXPROCS=1, a
	// server pinned to a core) the scheduler would otherwise run them only once
	// the commit blocks long enough for the runtime to hand the processor over,
	// and a big answer still going out would take turns with the commit.
	runtime.Gosched()
	f.awaitWholeWritten(wholeWriteWait)
	e.commitFill(f, w, resp, spec)
}

// wholeWriteWait bounds how long a commit waits for its clients to have
// written a body held whole: the window before the content is durable grows by
// at most this much for a slow client.
const wholeWriteWait = 100 * time.Millisecond

// pendingSums are the checksum tables of documents answered but not yet
// committed, by digest: an artifact fill that comes for one in that moment
// (a client fetching the tarball it just read of) finds its checksum here
// instead of building the table again.
type pendingSums struct {
	mu sync.Mutex
	m  map[cache.Digest]map[string]cache.Checksum
}

func (p *pendingSums) put(d cache.Digest, table map[string]cache.Checksum) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[cache.Digest]map[string]cache.Checksum{}
	}
	p.m[d] = table
}

func (p *pendingSums) drop(d cache.Digest) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, d)
}

// lookup finds name in the pending table of d; known is false when d has none.
func (p *pendingSums) lookup(d cache.Digest, name string) (sum cache.Checksum, found, known bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	table, known := p.m[d]
	sum, found = table[name]
	return sum, found, known
}
