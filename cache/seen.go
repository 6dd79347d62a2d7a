package cache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// First-seen times. Where an upstream states no release time (GitHub's npm
// registry drops a packument's time), a minimum release age is counted from the
// first time Hoard saw the version, kept in the index so a restart or an
// eviction of the document never makes a version look older than it is. The
// release times learned from a file of the version (a Maven POM's
// Last-Modified) are kept the same way, sparing the fetch next time:
//
//	f/<name>  -> unix nanoseconds (8 bytes), then the owner's cache key
//
// name is the caller's ("MOUNT/PACKAGE@VERSION"). The owner is the entry the
// record was made for (the package's metadata document): GC collects a record
// whose owner has left the cache, once it is older than SeenRetention.
const pfxSeen = "f/"

// SeenRetention is how long a first-seen record outlives its owner's entry:
// longer than any sensible min_age, so that a version dated by one has come of
// age under every policy before its record may go.
const SeenRetention = 30 * 24 * time.Hour

// Seen is one first-seen record.
type Seen struct {
	Name  string    `json:"name"`
	At    time.Time `json:"at"`
	Owner string    `json:"owner,omitempty"`
}

// FirstSeen returns when name was first seen, recording now if it never was.
func (s *Store) FirstSeen(name string, now time.Time) (time.Time, error) {
	return s.FirstSeenBy(name, "", now)
}

// FirstSeenBy is FirstSeen recording owner, the cache key of the entry the
// record belongs to ("" for a record kept for good).
func (s *Store) FirstSeenBy(name, owner string, now time.Time) (time.Time, error) {
	seen, found, err := s.SeenAt(name)
	if err != nil || found {
		return seen, err
	}
	key := []byte(pfxSeen + name)
	err = s.db.Update(func(txn *badger.Txn) error {
		found, err := readSeen(txn, key, &seen)
		if err != nil || found {
			return err
		}
		seen = now
		return txn.Set(key, seenValue(now, owner))
	})
	return seen, err
}

// NoteSeen keeps rec, or the record already here if it is earlier: a version
// was first seen at the earliest sighting (an imported bundle's, or this
// store's own).
func (s *Store) NoteSeen(rec Seen) error {
	if rec.Name == "" || len(rec.Name) > maxKeyLen {
		return fmt.Errorf("cache: first-seen name of %d bytes", len(rec.Name))
	}
	key := []byte(pfxSeen + rec.Name)
	return s.update(func(txn *badger.Txn) error {
		var cur time.Time
		found, err := readSeen(txn, key, &cur)
		if err != nil || (found && !cur.After(rec.At)) {
			return err
		}
		return txn.Set(key, seenValue(rec.At, rec.Owner))
	})
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

// SeenRecords lists the records whose names start with one of prefixes ("MOUNT/"),
// for an export.
func (s *Store) SeenRecords(prefixes []string) ([]Seen, error) {
	var out []Seen
	err := s.db.View(func(txn *badger.Txn) error {
		for _, p := range prefixes {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pfxSeen + p)})
			for it.Rewind(); it.Valid(); it.Next() {
				rec := Seen{Name: string(it.Item().Key()[len(pfxSeen):])}
				if err := it.Item().Value(func(v []byte) error { rec.At, rec.Owner = parseSeen(v); return nil }); err == nil {
					out = append(out, rec)
				}
			}
			it.Close()
		}
		return nil
	})
	return out, err
}

// gcSeen drops the records whose owner's entry is gone, once they are older
// than SeenRetention. It returns how many went.
func (s *Store) gcSeen(ctx context.Context, now time.Time) (int, error) {
	var gone [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pfxSeen)})
		defer it.Close()
		for it.Rewind(); it.Valid() && ctx.Err() == nil; it.Next() {
			var at time.Time
			var owner string
			if err := it.Item().Value(func(v []byte) error { at, owner = parseSeen(v); return nil }); err != nil {
				return err
			}
			if owner == "" || now.Sub(at) < SeenRetention {
				continue
			}
			if _, err := getEntry(txn, owner); errors.Is(err, ErrNotFound) {
				gone = append(gone, it.Item().KeyCopy(nil))
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return 0, err
	}
	for _, k := range gone {
		if err := s.update(func(txn *badger.Txn) error { return txn.Delete(k) }); err != nil {
			return 0, err
		}
	}
	return len(gone), nil
}

func seenValue(at time.Time, owner string) []byte {
	return append(putInt(at.UnixNano()), owner...)
}

func parseSeen(v []byte) (time.Time, string) {
	if len(v) < 8 {
		return time.Unix(0, 0), ""
	}
	return time.Unix(0, getInt(v[:8])), string(v[8:])
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
		*seen, _ = parseSeen(v)
		return nil
	})
}
