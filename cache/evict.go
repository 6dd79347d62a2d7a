package cache

import (
	"bytes"
	"container/heap"
	"context"

	"github.com/dgraph-io/badger/v4"
)

const (
	minEvictBatch = 256
	maxEvictBatch = 65536
)

// maybeEvict starts the evictor when the budget is exceeded and none runs.
// It never evicts on the caller's goroutine.
func (s *Store) maybeEvict() {
	if s.opts.MaxSize <= 0 || s.bytes.Load() <= s.opts.MaxSize {
		return
	}
	if !s.evicting.CompareAndSwap(false, true) {
		return
	}
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.closed {
		s.evicting.Store(false)
		return
	}
	s.evictWG.Add(1)
	go s.evictLoop()
}

func (s *Store) evictLoop() {
	defer s.evictWG.Done()
	for {
		progress := s.evictOnce(s.ctx)
		s.evicting.Store(false)
		// A commit may have pushed past the budget after our last check but
		// before the flag dropped, and found the evictor still running. A pass
		// that freed nothing (pinned entries alone past the budget) is not
		// repeated until the next commit asks again.
		if !progress || s.ctx.Err() != nil || s.bytes.Load() <= s.opts.MaxSize ||
			!s.evicting.CompareAndSwap(false, true) {
			return
		}
	}
}

// evictOnce removes least-recently-used entries until Bytes is at most 90%
// of MaxSize, so that eviction runs in bursts rather than after every commit.
// Pinned entries are never candidates. It reports whether it deleted anything.
func (s *Store) evictOnce(ctx context.Context) (deleted bool) {
	target := s.opts.MaxSize / 10 * 9
	for s.bytes.Load() > target && ctx.Err() == nil {
		cands, err := s.oldest(ctx, s.evictBatch(target))
		if err != nil {
			s.log.Error().Err(err).Msg("eviction scan failed")
			return deleted
		}
		progress := false
		for _, c := range cands {
			if s.bytes.Load() <= target || ctx.Err() != nil {
				break
			}
			ok, err := s.deleteIf(c.key, "", c.at)
			if err != nil {
				s.log.Error().Err(err).Msg("evict entry failed")
				return deleted
			}
			if ok {
				progress, deleted = true, true
				s.evictions.Add(1)
			}
		}
		if !progress {
			return deleted // every candidate was touched, refilled or pinned meanwhile
		}
	}
	return deleted
}

// evictBatch guesses how many entries must go, from the average entry size,
// and asks for twice that (shared blobs free nothing until the last reference).
func (s *Store) evictBatch(target int64) int {
	n, b := s.nEntries.Load(), s.bytes.Load()
	if n <= 0 || b <= 0 {
		return minEvictBatch
	}
	want := (b - target) / max(b/n, 1) * 2
	return int(min(max(want, minEvictBatch), maxEvictBatch))
}

type candidate struct {
	key string
	at  int64 // last access, or FetchedAt when never touched
}

// newestFirst is a max-heap on access time: its root is the most recent of
// the candidates kept, the first to give way to an older one.
type newestFirst []candidate

func (h newestFirst) Len() int           { return len(h) }
func (h newestFirst) Less(i, j int) bool { return h[i].at > h[j].at }
func (h newestFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *newestFirst) Push(x any)        { *h = append(*h, x.(candidate)) }
func (h *newestFirst) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

// oldest returns up to n least-recently-used unpinned entries, oldest first, in
// one pass that walks e/, a/ and p/ side by side (all sorted by key) with memory
// bounded by n. Entries are decoded only when they have no access time.
func (s *Store) oldest(ctx context.Context, n int) ([]candidate, error) {
	h := make(newestFirst, 0, n)
	err := s.db.View(func(txn *badger.Txn) error {
		ie := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pfxEntry)})
		defer ie.Close()
		ia := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pfxAccess)})
		defer ia.Close()
		ia.Rewind()
		pins := newSideWalk(txn, pfxPin)
		defer pins.close()
		rule := s.pinRule.Load()
		for ie.Rewind(); ie.Valid() && ctx.Err() == nil; ie.Next() {
			key := ie.Item().Key()[len(pfxEntry):]
			if pins.has(key) || rule.covers(key) {
				continue
			}
			for ia.Valid() && bytes.Compare(ia.Item().Key()[len(pfxAccess):], key) < 0 {
				ia.Next()
			}
			at, ok := int64(0), false
			if ia.Valid() && bytes.Equal(ia.Item().Key()[len(pfxAccess):], key) {
				ok = ia.Item().Value(func(v []byte) error { at = getInt(v); return nil }) == nil
			}
			if !ok {
				at = fetchedAt(ie.Item())
			}
			keep(&h, n, candidate{key: string(key), at: at})
		}
		return ctx.Err()
	})
	out := make([]candidate, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&h).(candidate)
	}
	return out, err
}

func keep(h *newestFirst, n int, c candidate) {
	if h.Len() < n {
		heap.Push(h, c)
	} else if c.at < (*h)[0].at {
		(*h)[0] = c
		heap.Fix(h, 0)
	}
}

func fetchedAt(item *badger.Item) int64 {
	var e Entry
	err := item.Value(func(v []byte) error {
		var err error
		e, err = decodeEntry(v)
		return err
	})
	if err != nil || e.FetchedAt.Unix() <= 0 {
		return 1 // undecodable or undated entries go first; 0 would disable deleteIf's check
	}
	return e.FetchedAt.UnixNano()
}
