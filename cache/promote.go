package cache

// promoteMax is the largest blob ServeBytes reads from disk into the hot tier.
// Promotion hashes the bytes (the hot tier holds only verified bytes), and the
// tier's admission policy may turn a blob away, to be read and hashed again on
// its next hit: up to this size that costs about what opening the file and
// sendfile do; beyond it a rejected blob would cost more than the file.
const promoteMax = 64 << 10

// ServeBytes returns a blob's bytes when the hot tier has them, or when the blob
// is small enough to promote: read from disk, verified against its digest and
// admitted, so a cache reopened after a restart warms its hot tier from the
// first hits instead of serving small blobs from disk forever. It reports
// false otherwise (serve those from the file) and when the blob cannot be read.
func (s *Store) ServeBytes(e Entry) ([]byte, bool) {
	if b, ok := s.HotBytes(e); ok {
		return b, true
	}
	if e.Size > min(promoteMax, s.opts.HotMaxItem) {
		return nil, false
	}
	b, err := s.ReadSmall(e)
	return b, err == nil
}
