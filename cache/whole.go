package cache

// Bodies held whole in memory (small content, documents rewritten in memory)
// are written once and hashed once: WriteWhole writes the bytes to the temp
// file and hashes them in the same pass, and the hot tier keeps the caller's
// slice rather than a copy of it. A document's checksum table, when it has
// one, is indexed by the commit's own transaction (KeepSums): one synced index
// write where the table and the entry took three.

// WriteWhole creates a Writer for body, the whole content, and writes it. The
// Writer keeps body itself for the hot tier, so the caller must not change it
// afterwards. On failure nothing is left on disk.
func (s *Store) WriteWhole(o WriterOptions, body []byte) (*Writer, error) {
	o.ExpectedSize = int64(len(body))
	w, err := s.newWriter(o, true)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(body); err != nil {
		w.Cancel()
		return nil, err
	}
	if int64(len(body)) <= s.opts.HotMaxItem {
		w.small = body
	}
	return w, nil
}

// KeepSums has Commit index sums as the checksum table of the committed blob
// (see PutSums), in the transaction that indexes the entry, unless a table of
// that blob is stored already.
func (w *Writer) KeepSums(sums map[string]Checksum) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sums = sums
}
