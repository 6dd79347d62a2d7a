package cache

import (
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// expiredAt is the fetch time an expired entry records: older than any TTL.
var expiredAt = time.Unix(0, 0)

// KeysWithPrefix lists up to limit entry keys that start with prefix, in key order.
// Only keys are read (no entry values), so a scan of many keys stays cheap.
func (s *Store) KeysWithPrefix(prefix string, limit int) ([]string, error) {
	var out []string
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: entryKey(prefix), PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid() && len(out) < limit; it.Next() {
			out = append(out, string(it.Item().Key()[len(pfxEntry):]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cache: list keys: %w", err)
	}
	return out, nil
}

// Expire makes a mutable entry stale, so its next read revalidates it with the
// upstream (conditionally, with its validators) while the bytes stay available as
// stale content should the upstream fail. Immutable entries and absent keys are left
// alone; expired reports whether key was changed.
func (s *Store) Expire(key string) (expired bool, err error) {
	if validKey(key) != nil {
		return false, nil
	}
	err = s.update(func(txn *badger.Txn) error {
		e, err := getEntry(txn, key)
		if err != nil || !e.Mutable || !e.FetchedAt.After(expiredAt) {
			return err
		}
		e.FetchedAt = expiredAt
		expired = true
		return setEntry(txn, key, e)
	})
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if expired {
		s.invalidate(key)
	}
	return expired, err
}
