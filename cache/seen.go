package cache

import (
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// First-seen times. Where an upstream states no release time (GitHub's npm
// registry drops a packument's time), a minimum release age is counted from the
// first time Hoard saw the version, kept in the index so a restart or an
// eviction of the document never makes a version look older than it is:
//
//	f/<name>  -> unix nanoseconds
//
// name is the caller's ("MOUNT/PACKAGE@VERSION"). They are never collected: one
// small record per version seen under a policy that needs it.
const pfxSeen = "f/"

// FirstSeen returns when name was first seen, recording now if it never was.
func (s *Store) FirstSeen(name string, now time.Time) (time.Time, error) {
	seen, found, err := s.SeenAt(name)
	if err != nil || found {
		return seen, err
	}
	key := []byte(pfxSeen + name)
	read := func(txn *badger.Txn) (bool, error) { return readSeen(txn, key, &seen) }
	err = s.db.Update(func(txn *badger.Txn) error {
		found, err := read(txn)
		if err != nil || found {
			return err
		}
		seen = now
		return txn.Set(key, putInt(now.UnixNano()))
	})
	return seen, err
}

// SeenAt returns name's record, if there is one, without making one.
func (s *Store) SeenAt(name string) (seen time.Time, found bool, err error) {
	if name == "" || len(name) > maxKeyLen {
		return time.Time{}, false, fmt.Errorf("cache: first-seen name of %d bytes", len(name))
	}
	err = s.db.View(func(txn *badger.Txn) (err error) {
		found, err = readSeen(txn, []byte(pfxSeen+name), &seen)
		return err
	})
	return seen, found, err
}

func readSeen(txn *badger.Txn, key []byte, seen *time.Time) (bool, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, item.Value(func(v []byte) error {
		*seen = time.Unix(0, getInt(v))
		return nil
	})
}
