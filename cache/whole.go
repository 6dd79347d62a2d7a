package cache

import "fmt"

// Bodies held whole in memory (small content, documents rewritten in memory)
// are hashed once, and their temp file reserved rather than written where the
// file system allows it (see WriteWhole); the hot tier keeps the caller's slice
// rather than a copy of it. A document's checksum table, when it has one, is
// indexed by the commit's own transaction (KeepSums): one synced index write
// where the table and the entry took three.

// WriteWhole creates a Writer for body, the whole content, and hashes it.
// Where the file system can reserve the space (fallocate), the bytes are only
// written by Commit, after the caller has answered from body: a full disk is
// still found out here, before any answer, and nothing the commit's fsync does
// not need is on a client's path. Elsewhere they are written at once. The
// Writer keeps body itself (for the hot tier, and to write it later), so the
// caller must not change it afterwards. On failure nothing is left on disk.
func (s *Store) WriteWhole(o WriterOptions, body []byte) (*Writer, error) {
	o.ExpectedSize = int64(len(body))
	w, err := s.newWriter(o, true)
	if err != nil {
		return nil, err
	}
	if err := w.writeWhole(body); err != nil {
		w.Cancel()
		return nil, err
	}
	if int64(len(body)) <= s.opts.HotMaxItem {
		w.small = body
	}
	return w, nil
}

func (w *Writer) writeWhole(body []byte) error {
	n := int64(len(body))
	if w.opts.MaxSize > 0 && n > w.opts.MaxSize {
		return fmt.Errorf("%w: over %d bytes", ErrTooLarge, w.opts.MaxSize)
	}
	reserved, err := reserve(w.f, n)
	if err != nil {
		return fmt.Errorf("cache: write temp file: %w", err)
	}
	if !reserved {
		_, err := w.Write(body)
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hash(body)
	w.written.Store(n)
	w.unwritten = body
	return nil
}

// writeReserved writes the bytes WriteWhole reserved room for; the caller
// holds w.mu.
func (w *Writer) writeReserved() error {
	if w.unwritten == nil {
		return nil
	}
	_, err := w.f.Write(w.unwritten)
	w.unwritten = nil
	if err != nil {
		return fmt.Errorf("cache: write temp file: %w", err)
	}
	return nil
}

// KeepSums has Commit index sums as the checksum table of the committed blob
// (see PutSums), in the transaction that indexes the entry, unless a table of
// that blob is stored already.
func (w *Writer) KeepSums(sums map[string]Checksum) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sums = sums
}
