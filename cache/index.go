package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Lookup returns the entry for key, from the in-memory entry cache when it
// holds a current copy, else from the index. ErrNotFound when absent.
func (s *Store) Lookup(key string) (Entry, error) {
	if validKey(key) != nil {
		return Entry{}, ErrNotFound
	}
	g := s.gen(key).Load() // read before badger: see hotEntry
	if h, ok := s.entries.Get(key); ok && h.gen == g {
		return cloneHeader(h.e), nil
	}
	var e Entry
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		e, err = getEntry(txn, key)
		return err
	})
	if err != nil {
		return Entry{}, err
	}
	s.entries.Set(key, hotEntry{e: e, gen: g}, entryCost(key, e))
	return cloneHeader(e), nil
}

// cloneHeader gives the caller its own Header map, so that a caller editing it
// cannot change the copy other Lookups are served from the entry cache.
func cloneHeader(e Entry) Entry {
	if len(e.Header) > 0 {
		e.Header = maps.Clone(e.Header)
	}
	return e
}

// getEntry reads and decodes e/<key>; ErrNotFound when absent.
func getEntry(txn *badger.Txn, key string) (Entry, error) {
	item, err := txn.Get(entryKey(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("cache: index read: %w", err)
	}
	var e Entry
	err = item.Value(func(v []byte) error {
		var err error
		e, err = decodeEntry(v)
		return err
	})
	if err != nil {
		return Entry{}, fmt.Errorf("cache: index entry %q: %w", truncate(key, 80), err)
	}
	e.Key = key
	return e, nil
}

// OpenBlob opens the entry's blob file. If the file is gone, the entry is
// dropped (when it still points at that blob) so the next fill heals it.
func (s *Store) OpenBlob(e Entry) (*os.File, error) {
	hex, err := checkedHex(e.Digest)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(s.blobPath(hex))
	if errors.Is(err, fs.ErrNotExist) {
		s.log.Warn().Str("digest", hex).Msg("blob file missing; dropping its entry")
		if _, derr := s.deleteIf(e.Key, hex, 0); derr != nil {
			s.log.Error().Err(derr).Msg("self-heal delete failed")
		}
		return nil, fmt.Errorf("%w: blob %s missing", ErrNotFound, hex)
	}
	if err != nil {
		return nil, fmt.Errorf("cache: open blob: %w", err)
	}
	return f, nil
}

// Refresh records an upstream 304: the bytes are unchanged, only the
// validators and the time of confirmation move.
func (s *Store) Refresh(key string, fetchedAt time.Time, etag, lastModified string) error {
	if validKey(key) != nil {
		return ErrNotFound
	}
	err := s.update(func(txn *badger.Txn) error {
		e, err := getEntry(txn, key)
		if err != nil {
			return err
		}
		e.FetchedAt, e.ETag, e.LastModified = fetchedAt, etag, lastModified
		return setEntry(txn, key, e)
	})
	if err == nil {
		s.invalidate(key)
	}
	return err
}

func setEntry(txn *badger.Txn, key string, e Entry) error {
	v, err := encodeEntry(e)
	if err != nil {
		return fmt.Errorf("cache: encode entry: %w", err)
	}
	return txn.Set(entryKey(key), v)
}

// Delete drops key's entry. Its blob goes only when no other entry uses it.
// An absent key is not an error. After Delete returns, Lookup misses. A pin
// stays, so that content refilled after an invalidation is pinned again; a
// purge calls Unpin too.
func (s *Store) Delete(key string) error {
	if validKey(key) != nil {
		return nil
	}
	_, err := s.deleteIf(key, "", 0)
	return err
}

// deleteIf drops key's entry if it still references wantHex (any blob when
// "") and, when notAfter > 0, is not pinned and was not accessed after notAfter (unix nanos):
// the evictor and self-heal decide from a snapshot, and a concurrent refill or
// access must win over that stale decision. Reports whether it deleted.
func (s *Store) deleteIf(key, wantHex string, notAfter int64) (bool, error) {
	hex, err := s.deleteEntryIf(key, wantHex, notAfter)
	if err != nil || hex == "" {
		return false, err
	}
	s.invalidate(key)
	s.unref(hex)
	return true, nil
}

// deleteEntryIf is deleteIf's index change; it returns the digest of the
// entry it deleted, or "".
func (s *Store) deleteEntryIf(key, wantHex string, notAfter int64) (string, error) {
	done, err := s.counted()
	if err != nil {
		return "", err
	}
	defer done()
	var hex string
	err = s.update(func(txn *badger.Txn) error {
		hex = ""
		e, err := getEntry(txn, key)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if wantHex != "" && e.Digest.Hex() != wantHex {
			return nil
		}
		if notAfter > 0 && (accessedAfter(txn, key, notAfter) || isPinned(txn, key) || s.pinRule.Load().covers([]byte(key))) {
			return nil // the evictor's choice is stale, or the entry was pinned since
		}
		hex = e.Digest.Hex()
		return deleteKeys(txn, entryKey(key), accessKey(key), refKey(hex, key))
	})
	if err != nil {
		return "", err
	}
	if hex != "" {
		s.nEntries.Add(-1)
	}
	return hex, nil
}

func accessedAfter(txn *badger.Txn, key string, t int64) bool {
	item, err := txn.Get(accessKey(key))
	if err != nil {
		return false
	}
	var at int64
	_ = item.Value(func(v []byte) error { at = getInt(v); return nil })
	return at > t
}

func deleteKeys(txn *badger.Txn, keys ...[]byte) error {
	for _, k := range keys {
		if err := txn.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// unref removes the blob's size record and file once no entry references it,
// and reports whether it did. Every path that drops a reference calls it
// afterwards; it holds the digest lock so a commit cannot reuse the file
// while it is being removed.
func (s *Store) unref(hex string) bool {
	defer s.lockDigest(hex)()
	gone, err := s.dropBlobRecord(hex)
	if err != nil {
		s.log.Error().Err(err).Str("digest", hex).Msg("unreference blob failed")
		return false
	}
	if !gone {
		return false
	}
	// Index first, file second: a crash in between leaves an orphan file for GC,
	// never an entry without its blob.
	s.blobs.Del(hex)
	if err := os.Remove(s.blobPath(hex)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Error().Err(err).Str("digest", hex).Msg("remove blob failed")
	}
	if err := s.dropSums(hex); err != nil {
		s.log.Warn().Err(err).Str("digest", hex).Msg("dropping a checksum table failed; gc drops it")
	}
	return true
}

// dropBlobRecord deletes b/<hex> if nothing references the blob any more,
// and reports whether nothing does. The caller holds the digest lock.
func (s *Store) dropBlobRecord(hex string) (bool, error) {
	done, err := s.counted()
	if err != nil {
		return false, err
	}
	defer done()
	var freed int64
	var gone bool
	err = s.update(func(txn *badger.Txn) error {
		freed, gone = 0, false
		if hasRefs(txn, hex) {
			return nil
		}
		gone = true
		item, err := txn.Get(blobKey(hex))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		_ = item.Value(func(v []byte) error { freed = getInt(v); return nil })
		return txn.Delete(blobKey(hex))
	})
	if err != nil {
		return false, err
	}
	s.bytes.Add(-freed)
	return gone, nil
}
