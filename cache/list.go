package cache

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Listed is one entry as the operator's listing shows it.
type Listed struct {
	Entry
	LastAccess time.Time // zero when never recorded
	Pinned     bool      // eviction passes it by
}

// List calls fn for each entry whose key starts with prefix and comes after
// after (all when ""), in key order, with its last recorded access, until fn
// returns false. It walks e/ and a/ side by side, as the evictor does, so a
// listing costs one pass and no per-entry lookups. Access times still queued
// for the flusher are written first, so the listing shows recent traffic.
func (s *Store) List(ctx context.Context, prefix, after string, fn func(Listed) bool) error {
	if !s.opts.ReadOnly {
		s.flushTouches()
	}
	err := s.db.View(func(txn *badger.Txn) error {
		ie := txn.NewIterator(badger.IteratorOptions{Prefix: entryKey(prefix)})
		defer ie.Close()
		ia := txn.NewIterator(badger.IteratorOptions{Prefix: accessKey(prefix)})
		defer ia.Close()
		start := entryKey(prefix)
		if after > prefix {
			start = append(entryKey(after), 0)
		}
		ia.Seek(accessKey(string(start[len(pfxEntry):])))
		pins := newSideWalk(txn, pfxPin)
		defer pins.close()
		rule := s.pinRule.Load()
		for ie.Seek(start); ie.Valid() && ctx.Err() == nil; ie.Next() {
			key := ie.Item().Key()[len(pfxEntry):]
			for ia.Valid() && bytes.Compare(ia.Item().Key()[len(pfxAccess):], key) < 0 {
				ia.Next()
			}
			var l Listed
			if ia.Valid() && bytes.Equal(ia.Item().Key()[len(pfxAccess):], key) {
				_ = ia.Item().Value(func(v []byte) error { l.LastAccess = time.Unix(0, getInt(v)); return nil })
			}
			if err := ie.Item().Value(func(v []byte) error {
				var err error
				l.Entry, err = decodeEntry(v)
				return err
			}); err != nil {
				continue // an undecodable entry is verify's business, not the listing's
			}
			l.Key = string(key)
			l.Pinned = pins.has(key) || rule.covers(key)
			if !fn(l) {
				return nil
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("cache: list: %w", err)
	}
	return nil
}
