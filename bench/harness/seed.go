package harness

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
)

// seedBlobs is how many distinct blobs the seeded entries share: one per digest
// lock stripe would be 256; a few dozen keep the data dir small while letting
// index writes run in parallel.
const seedBlobs = 256

// SeedKey is the path under the maven mount of seeded entry i: a release jar, so
// Hoard serves it as an immutable hit with no upstream request.
func SeedKey(i int) string {
	return fmt.Sprintf("com/acme/seed/g%d/a%d/1.%d/a%d-1.%d.jar", i%1000, i, i%7, i, i%7)
}

// Seed fills dir with n index entries under mount, sharing seedBlobs small blobs,
// through the cache package's API (Writer.Commit for the blobs, Link for the
// entries), the way Hoard's own fills would leave them. It reports progress to
// progress (may be nil).
func Seed(dir, mount string, n int, progress func(done int)) error {
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		return err
	}
	entries := make([]cache.Entry, 0, seedBlobs)
	for b := 0; b < seedBlobs; b++ {
		body := bytes.Repeat([]byte(fmt.Sprintf("seed blob %d\n", b)), 64)
		w, err := store.NewWriter(cache.WriterOptions{ExpectedSize: int64(len(body))})
		if err != nil {
			store.Close()
			return err
		}
		if _, err := w.Write(body); err != nil {
			w.Cancel()
			store.Close()
			return err
		}
		e, err := w.Commit(mount+"/"+SeedKey(b), cache.Entry{ContentType: "application/java-archive", FetchedAt: time.Now()})
		if err != nil {
			store.Close()
			return err
		}
		entries = append(entries, e)
	}
	// Index writes are synced; many writers at once let badger group their commits
	// into one fsync.
	workers := 128 * runtime.GOMAXPROCS(0)
	var next atomic.Int64
	next.Store(seedBlobs - 1)
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i >= n {
					return
				}
				e := entries[i%seedBlobs]
				if err := store.Link(mount+"/"+SeedKey(i), cache.Entry{Digest: e.Digest, ContentType: e.ContentType, FetchedAt: e.FetchedAt}); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				if progress != nil && i%50_000 == 0 {
					progress(i)
				}
			}
		}()
	}
	wg.Wait()
	// A long-running cache's index has settled; one just written in bulk would
	// still be compacting while it is measured.
	if firstErr == nil {
		firstErr = store.CompactIndex()
	}
	if err := store.Close(); err != nil && firstErr == nil {
		firstErr = err
	}
	return firstErr
}
