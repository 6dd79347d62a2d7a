package cache

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// metaCounters holds Bytes and Entries (8 bytes each) as Close left them. It
// exists only between a clean Close and the next Open, which deletes it before
// anything else can change the index: after a crash it is absent, and the
// counters are recounted from the index.
var metaCounters = []byte("m/counters")

var errClosed = errors.New("cache: store is closed")

// loadCounters sets Bytes and Entries from what the last Close saved, or, when
// that is missing (a crash, or a data dir written before counters were saved),
// by recounting the index.
func (s *Store) loadCounters() error {
	bytes, entries, saved, err := s.savedCounters()
	if err != nil {
		return err
	}
	if !saved {
		if bytes, entries, err = s.countIndex(); err != nil {
			return err
		}
		s.log.Info().Int64("entries", entries).Msg("recounted the index")
	}
	if saved && !s.opts.ReadOnly {
		// From here on the saved figures go stale: a crash must lead to a recount.
		if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(metaCounters) }); err != nil {
			return fmt.Errorf("cache: clear saved counters: %w", err)
		}
	}
	s.bytes.Store(bytes)
	s.nEntries.Store(entries)
	return nil
}

func (s *Store) savedCounters() (bytes, entries int64, ok bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(metaCounters)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			if len(v) == 16 {
				bytes, entries, ok = getInt(v[:8]), getInt(v[8:]), true
			}
			return nil
		})
	})
	if err != nil {
		return 0, 0, false, fmt.Errorf("cache: read saved counters: %w", err)
	}
	return bytes, entries, ok, nil
}

// countIndex sums the b/ records and counts the e/ keys. It reads every table
// of the index, which on a large index costs time and memory (the tables are
// memory-mapped, so every page read stays resident), hence saving the result.
func (s *Store) countIndex() (bytes, entries int64, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pfxBlob)})
		for it.Rewind(); it.Valid(); it.Next() {
			err := it.Item().Value(func(v []byte) error {
				bytes += getInt(v)
				return nil
			})
			if err != nil {
				it.Close()
				return err
			}
		}
		it.Close()
		it = txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pfxEntry)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			entries++
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("cache: count index: %w", err)
	}
	return bytes, entries, nil
}

// counted brackets an index change together with the counter updates it
// implies, so that saveCounters sees either both or neither. It fails once
// the counters are saved: a change after that would be missing from them.
func (s *Store) counted() (done func(), err error) {
	s.countMu.RLock()
	if s.countsSaved {
		s.countMu.RUnlock()
		return nil, errClosed
	}
	return s.countMu.RUnlock, nil
}

// saveCounters writes the counters for the next Open and stops every later
// index change. Close calls it last, once background work has stopped; on
// failure the next Open recounts.
func (s *Store) saveCounters() {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	s.countsSaved = true
	v := append(putInt(s.bytes.Load()), putInt(s.nEntries.Load())...)
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(metaCounters, v) }); err != nil {
		s.log.Warn().Err(err).Msg("save counters failed; the next start recounts the index")
	}
}
