package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"io"
	"sync/atomic"

	"github.com/dgraph-io/ristretto/v2"
)

// hotEntry is an index entry as cached in memory, stamped with the key
// stripe's generation read before the entry was read from badger.
//
// Why: ristretto's Set is applied asynchronously, so a Lookup that read the
// old entry just before a Delete could still land its Set after the Delete's
// Del. Every index change bumps the stripe's generation after writing badger,
// and a cached value only counts when its generation is still current, so
// such a late Set can never be served.
type hotEntry struct {
	e   Entry
	gen uint64
}

func (s *Store) newHotTiers() error {
	var err error
	s.blobs, err = ristretto.NewCache(&ristretto.Config[string, []byte]{
		NumCounters: max(s.opts.HotBytes/(4<<10)*10, 1000), // ~10 counters per 4 KiB blob
		MaxCost:     s.opts.HotBytes,
		BufferItems: 64,
	})
	if err != nil {
		return fmt.Errorf("cache: hot tier: %w", err)
	}
	s.entries, err = ristretto.NewCache(&ristretto.Config[string, hotEntry]{
		NumCounters: max(s.opts.EntryBytes/256*10, 1000), // ~256 bytes per entry
		MaxCost:     s.opts.EntryBytes,
		BufferItems: 64,
	})
	if err != nil {
		s.blobs.Close()
		return fmt.Errorf("cache: entry cache: %w", err)
	}
	return nil
}

func (s *Store) closeHotTiers() {
	if s.blobs != nil {
		s.blobs.Close()
	}
	if s.entries != nil {
		s.entries.Close()
	}
}

func (s *Store) gen(key string) *atomic.Uint64 {
	return &s.gens[maphash.String(s.seed, key)%genStripes]
}

// invalidate must be called after every index change of key has been written.
func (s *Store) invalidate(key string) {
	s.gen(key).Add(1)
	s.entries.Del(key) // frees memory; the generation bump is what guarantees freshness
}

func entryCost(key string, e Entry) int64 {
	n := len(key) + len(e.Digest) + len(e.ContentType) + len(e.ETag) + len(e.LastModified) + 160
	for k, v := range e.Header {
		n += len(k) + len(v) + 32
	}
	return int64(n)
}

// HotBytes returns the blob's bytes if the hot tier holds them. The slice is
// shared: callers must not modify it.
func (s *Store) HotBytes(e Entry) ([]byte, bool) {
	hex := e.Digest.Hex()
	if hex == "" {
		return nil, false
	}
	b, ok := s.blobs.Get(hex)
	if !ok || int64(len(b)) != e.Size {
		return nil, false
	}
	return b, true
}

// admit puts verified bytes of a small blob into the hot tier.
func (s *Store) admit(hex string, b []byte) {
	if int64(len(b)) <= s.opts.HotMaxItem {
		s.blobs.Set(hex, b, int64(len(b)))
	}
}

// ReadSmall is ReadWhole for blobs the hot tier may promote: at most 4×HotMaxItem.
func (s *Store) ReadSmall(e Entry) ([]byte, error) {
	return s.ReadWhole(e, s.opts.HotMaxItem*4)
}

// ReadWhole returns the bytes of a blob of at most limit bytes (the caller's
// setting, named in the ErrTooLarge it gets past it), from the hot tier or from
// disk (then admitted when it fits HotMaxItem). The slice may be shared with the
// hot tier: callers must not modify it. Bytes read from disk are hashed before
// they are returned or admitted, so the hot tier only ever holds verified bytes;
// a blob that fails the check is dropped with its entries and the error matches
// both ErrNotFound (refill it) and ErrVerify.
func (s *Store) ReadWhole(e Entry, limit int64) ([]byte, error) {
	if e.Size > limit {
		return nil, fmt.Errorf("%w: %d bytes is over the limit of %d", ErrTooLarge, e.Size, limit)
	}
	if b, ok := s.HotBytes(e); ok {
		return b, nil
	}
	f, err := s.OpenBlob(e)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cache: read blob: %w", err)
	}
	sum := sha256.Sum256(b)
	hx := e.Digest.Hex()
	if hex.EncodeToString(sum[:]) != hx {
		s.log.Error().Str("digest", hx).Msg("blob failed its hash check; dropping it")
		info, _ := f.Stat()
		s.dropDigest(hx, info)
		return nil, fmt.Errorf("%w: %w: blob %s does not match its digest", ErrNotFound, ErrVerify, hx)
	}
	s.admit(hx, b)
	return b, nil
}
