package cache

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Pin marks key's entry so that eviction never removes it (Delete still does,
// and leaves the mark for the key's next entry). ErrNotFound when there is no entry. Pinning twice is harmless.
// The pin belongs to the key: an entry refilled under it stays pinned.
func (s *Store) Pin(key string) error {
	if validKey(key) != nil {
		return ErrNotFound
	}
	return s.update(func(txn *badger.Txn) error {
		if _, err := getEntry(txn, key); err != nil {
			return err
		}
		return txn.Set(pinKey(key), nil)
	})
}

// Unpin lets eviction remove key's entry again. An unpinned key is not an error.
func (s *Store) Unpin(key string) error {
	if validKey(key) != nil {
		return nil
	}
	return s.update(func(txn *badger.Txn) error { return txn.Delete(pinKey(key)) })
}

func isPinned(txn *badger.Txn, key string) bool {
	_, err := txn.Get(pinKey(key))
	return err == nil
}

// PinStats are the pinned entries' count and bytes, kept apart from the LRU
// budget's figures: bytes add up entry sizes, so a blob two pinned entries
// share counts twice.
type PinStats struct {
	Entries int64
	Bytes   int64
}

// Pinned counts the pinned entries. Pins are few (an operator sets each), so it
// reads them on demand rather than keeping a counter on every index change;
// under a pin rule it walks every entry.
func (s *Store) Pinned() (PinStats, error) {
	var st PinStats
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pfxPin)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			e, err := getEntry(txn, string(it.Item().Key()[len(pfxPin):]))
			if errors.Is(err, ErrNotFound) {
				continue // pinned, then dropped by verify or a missing blob: refilled later
			}
			if err != nil {
				return err
			}
			st.Entries++
			st.Bytes += e.Size
		}
		return s.ruledPins(txn, &st)
	})
	if err != nil {
		return PinStats{}, fmt.Errorf("cache: pins: %w", err)
	}
	return st, nil
}

// sideWalk follows a key-ordered prefix of the index alongside a walk of e/, so
// that a scan learns which keys carry a mark without one lookup per entry.
type sideWalk struct {
	it     *badger.Iterator
	prefix int
}

func newSideWalk(txn *badger.Txn, prefix string) *sideWalk {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix), PrefetchValues: false})
	it.Rewind()
	return &sideWalk{it: it, prefix: len(prefix)}
}

// seekTo positions the walk for key; keys must come in ascending order.
func (w *sideWalk) seekTo(key []byte) {
	for w.it.Valid() && bytes.Compare(w.it.Item().Key()[w.prefix:], key) < 0 {
		w.it.Next()
	}
}

// has reports whether the marked keys include key; keys must come in ascending order.
func (w *sideWalk) has(key []byte) bool {
	w.seekTo(key)
	return w.it.Valid() && bytes.Equal(w.it.Item().Key()[w.prefix:], key)
}

func (w *sideWalk) close() { w.it.Close() }
