package cache

// ServeBytes returns a blob's bytes when it is small enough for the hot tier:
// from the tier, or read from disk, verified against its digest and admitted,
// so a cache reopened after a restart warms its hot tier from the first hits
// instead of serving small blobs from disk forever. It reports false for
// larger blobs (serve those from the file) and when the blob cannot be read.
func (s *Store) ServeBytes(e Entry) ([]byte, bool) {
	if b, ok := s.HotBytes(e); ok {
		return b, true
	}
	if e.Size > s.opts.HotMaxItem {
		return nil, false
	}
	b, err := s.ReadSmall(e)
	return b, err == nil
}
