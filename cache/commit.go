package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Commit verifies the bytes, moves them into the blob store and indexes them
// under key with e's fields (Digest and Size filled in). The order is what
// makes a crash harmless: fsync the file, rename it, fsync the directory, and
// only then write the index. On a verification failure nothing is indexed,
// the temp file is removed and the error wraps ErrVerify. A blob named late
// (name.go) is hashed from its temp file while the fsync runs.
func (w *Writer) Commit(key string, e Entry) (Entry, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return Entry{}, errors.New("cache: commit after commit or cancel")
	}
	w.finished = true
	if err := validKey(key); err != nil {
		w.discard()
		return Entry{}, err
	}
	if err := w.check(); err != nil {
		w.discard()
		return Entry{}, err
	}
	w.trail.end() // caught up by check: every hash is final
	if err := w.writeReserved(); err != nil {
		w.discard()
		return Entry{}, err
	}
	if err := w.syncAndName(); err != nil {
		w.discard()
		return Entry{}, err
	}
	if err := w.f.Close(); err != nil {
		w.discard()
		return Entry{}, fmt.Errorf("cache: close temp file: %w", err)
	}
	e.Key, e.Digest, e.Size = key, w.digest(), w.written.Load()
	if err := w.s.commitBlob(key, e.Digest.Hex(), e, w.path, w.small, w.sums); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// commitBlob places the temp file at the blob's path (or drops it when the
// blob is already there) and indexes it, under the digest lock so the
// evictor cannot remove the blob between the placement and the index write.
// sums, when not nil, is the blob's checksum table, indexed with it.
func (s *Store) commitBlob(key, hex string, e Entry, tmp string, small []byte, sums map[string]Checksum) error {
	var table *sumsWrite
	if sums != nil {
		var err error
		if table, err = s.prepareSums(hex, sums); err != nil {
			// The blob is good without it: its artifacts' fills build the table.
			s.log.Warn().Err(err).Msg("storing a checksum table failed")
			table = nil
		}
	}
	unlock := s.lockDigest(hex)
	err := s.placeBlob(hex, tmp)
	var oldHex string
	if err == nil {
		oldHex, err = s.indexWith(key, hex, e, table)
	}
	unlock()
	if err != nil {
		return err
	}
	if small != nil {
		s.admit(hex, small)
	}
	s.afterIndex(key, oldHex)
	return nil
}

// placeBlob renames tmp into place; the caller holds the digest lock.
func (s *Store) placeBlob(hex, tmp string) error {
	renamed, err := s.renameBlob(hex, tmp)
	if err != nil || !renamed {
		return err
	}
	return syncDir(filepath.Dir(s.blobPath(hex)))
}

// renameBlob is placeBlob without the directory's fsync, which the caller owes
// before anything indexes the blob; renamed is false when the blob was there.
func (s *Store) renameBlob(hex, tmp string) (renamed bool, err error) {
	dst := s.blobPath(hex)
	if _, err := os.Stat(dst); err == nil {
		_ = os.Remove(tmp) // same bytes already stored: dedup
		return false, nil
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return false, fmt.Errorf("cache: place blob: %w", err)
	}
	s.markVerified(hex) // the writer hashed these very bytes
	return true, nil
}

// Link indexes key as another name for an existing blob (e.Digest must be
// on disk, else ErrNotFound). Size is taken from the file.
func (s *Store) Link(key string, e Entry) error {
	if err := validKey(key); err != nil {
		return err
	}
	hex, err := checkedHex(e.Digest)
	if err != nil {
		return err
	}
	unlock := s.lockDigest(hex)
	fi, err := os.Stat(s.blobPath(hex))
	var oldHex string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		err = fmt.Errorf("%w: blob %s", ErrNotFound, hex)
	case err == nil:
		e.Size = fi.Size()
		oldHex, err = s.indexLocked(key, hex, e)
	}
	unlock()
	if err != nil {
		return err
	}
	s.afterIndex(key, oldHex)
	return nil
}

// indexLocked writes key's entry and its references in one transaction and
// returns the digest key pointed at before, if different. The caller holds
// hex's digest lock, which is what lets it trust that the blob file exists.
func (s *Store) indexLocked(key, hex string, e Entry) (oldHex string, err error) {
	return s.indexWith(key, hex, e, nil)
}

// indexWith is indexLocked writing, in the same transaction, the blob's
// checksum table (or what prepareSums left of it), unless it has one.
func (s *Store) indexWith(key, hex string, e Entry, table *sumsWrite) (oldHex string, err error) {
	done, err := s.counted()
	if err != nil {
		return "", err
	}
	defer done()
	now := time.Now().UnixNano()
	var existed, newBlob bool
	err = s.update(func(txn *badger.Txn) error {
		oldHex, existed, newBlob = "", false, false
		old, err := getEntry(txn, key)
		switch {
		case err == nil:
			existed = true
			if h := old.Digest.Hex(); h != hex {
				oldHex = h
			}
		case !errors.Is(err, ErrNotFound):
			return err
		}
		if _, err := txn.Get(blobKey(hex)); errors.Is(err, badger.ErrKeyNotFound) {
			newBlob = true
			if err := txn.Set(blobKey(hex), putInt(e.Size)); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if oldHex != "" {
			if err := txn.Delete(refKey(oldHex, key)); err != nil {
				return err
			}
		}
		if err := setEntry(txn, key, e); err != nil {
			return err
		}
		if err := txn.Set(accessKey(key), putInt(now)); err != nil {
			return err
		}
		if table != nil {
			if err := table.setMissing(txn); err != nil {
				return err
			}
		}
		return txn.Set(refKey(hex, key), nil)
	})
	if err != nil {
		return "", fmt.Errorf("cache: index write: %w", err)
	}
	if !existed {
		s.nEntries.Add(1)
	}
	if newBlob {
		s.bytes.Add(e.Size)
	}
	return oldHex, nil
}

// afterIndex runs once the digest lock is released: it makes the new entry
// visible, lets go of the blob the key used before, and checks the budget.
func (s *Store) afterIndex(key, oldHex string) {
	s.invalidate(key)
	if oldHex != "" {
		s.unref(oldHex)
	}
	s.maybeEvict()
}
