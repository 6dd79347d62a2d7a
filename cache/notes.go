package cache

import (
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Notes are small facts the proxy must keep across a restart that are not cache
// entries: when the upstream last confirmed that a caller may read a package, or
// last gave a token a good verdict. Each is kept in the index beside the entries
// and dies on its own once its life is over (badger's TTL), so nothing has to
// sweep them:
//
//	n/<name> -> unix nanos of the note (8 bytes) and the caller's value
const pfxNote = "n/"

func noteKey(name string) []byte { return []byte(pfxNote + name) }

// PutNote records value under name, written at at, for life. The write is as
// durable as an index commit: a note survives a kill -9 once PutNote returned.
func (s *Store) PutNote(name string, at time.Time, value []byte, life time.Duration) error {
	if err := validKey(name); err != nil {
		return err
	}
	if life <= 0 {
		return errors.New("cache: a note needs a positive life")
	}
	v := append(putInt(at.UnixNano()), value...)
	err := s.db.Update(func(txn *badger.Txn) error {
		return txn.SetEntry(badger.NewEntry(noteKey(name), v).WithTTL(life))
	})
	if err != nil {
		return fmt.Errorf("cache: note: %w", err)
	}
	return nil
}

// Note returns the note recorded under name: when it was written and its value.
// found is false when there is none, or its life is over.
func (s *Store) Note(name string) (at time.Time, value []byte, found bool, err error) {
	if err := validKey(name); err != nil {
		return time.Time{}, nil, false, err
	}
	err = s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(noteKey(name))
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			if len(v) < 8 {
				return errors.New("cache: short note")
			}
			at, value, found = time.Unix(0, getInt(v[:8])), append([]byte(nil), v[8:]...), true
			return nil
		})
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return time.Time{}, nil, false, nil
	}
	return at, value, found, err
}
