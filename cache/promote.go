package cache

import (
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Promotion reads a blob from disk into the hot tier on a hit, so a cache
// reopened after a restart warms its hot tier from its first hits instead of
// serving hot blobs from their files forever (a 200 KiB npm packument costs
// about 40 µs of CPU per hit from memory and 56 µs through sendfile).
//
// Promotion hashes the bytes (the hot tier holds only verified bytes), and the
// tier's admission policy may turn a blob away, to be read and hashed again on
// its next hit. Up to promoteFree that costs about what opening the file and
// sendfile do, so it is always tried. A larger blob is tried at most once per
// promoteRetry: one the tier did not keep is served from its file meanwhile.
const (
	promoteFree  = 64 << 10
	promoteRetry = time.Minute
	// promotedKept bounds the memory of recent large promotions (a digest and a
	// time each); a forgotten one only costs an early retry.
	promotedKept = 4096
)

func newPromoted() *lru.Cache[string, time.Time] {
	c, _ := lru.New[string, time.Time](promotedKept) // fails only for a size < 1
	return c
}

// ServeBytes returns a blob's bytes when the hot tier has them, or when the blob
// fits the hot tier and may be promoted now: read from disk, verified against
// its digest and admitted. It reports false otherwise (serve those from the
// file) and when the blob cannot be read.
func (s *Store) ServeBytes(e Entry) ([]byte, bool) {
	if b, ok := s.HotBytes(e); ok {
		return b, true
	}
	if e.Size > s.opts.HotMaxItem || !s.mayPromote(e) {
		return nil, false
	}
	b, err := s.ReadSmall(e)
	return b, err == nil
}

// mayPromote reports whether e's blob may be read into the hot tier now, and
// records the attempt for a large blob.
func (s *Store) mayPromote(e Entry) bool {
	if e.Size <= promoteFree {
		return true
	}
	hex, now := e.Digest.Hex(), time.Now()
	if at, ok := s.promoted.Get(hex); ok && now.Sub(at) < promoteRetry {
		return false
	}
	s.promoted.Add(hex, now)
	return true
}
