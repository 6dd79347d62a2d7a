package cache

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Checksum tables. A metadata document that declares the checksums of many
// artifacts (an npm packument lists every version's integrity) is read once when it
// is cached, and its table is kept in the index under the document's digest, so an
// artifact is verified with one lookup however big its document:
//
//	s/<hex>          -> number of names (8 bytes): the table of blob <hex> is complete
//	s/<hex>/<name>   -> "<algo>:<hex>"
//
// Keyed by content, a table never goes stale: a document that changes is another
// blob with a table of its own. GC drops the tables of blobs no entry references.
const pfxSums = "s/"

func sumsMarker(doc string) []byte   { return []byte(pfxSums + doc) }
func sumKey(doc, name string) []byte { return []byte(pfxSums + doc + "/" + name) }
func sumsPrefix(doc string) []byte   { return []byte(pfxSums + doc + "/") }
func encodeSum(c Checksum) []byte    { return []byte(c.Algo + ":" + c.Hex) }
func decodeSum(v []byte) (Checksum, bool) {
	algo, hx, ok := strings.Cut(string(v), ":")
	return Checksum{Algo: algo, Hex: hx}, ok
}

// PutSums stores the checksum table of the document blob doc. Names longer than
// the index allows are left out (their artifacts are then not found in the table).
// The completion marker is written with the last of the names, so a crash midway
// leaves a table that HasSums reports missing, to be built again.
func (s *Store) PutSums(doc Digest, sums map[string]Checksum) error {
	hx, err := checkedHex(doc)
	if err != nil {
		return err
	}
	t, err := s.prepareSums(hx, sums)
	if err != nil {
		return err
	}
	return s.update(t.set)
}

// sumsWrite is a checksum table ready for a transaction (set), or one that
// prepareSums wrote already, being too large to share one.
type sumsWrite struct {
	hx      string
	keys    [][]byte
	vals    [][]byte
	entries int  // the marker's count: every name of the table, kept or not
	written bool // stored whole by prepareSums
}

// sumsTxnShare: a table taking less than this share of badger's largest
// transaction is written with the entry that commits its document.
const sumsTxnShare = 2

// prepareSums encodes a table. One too large to share a transaction is
// written at once, in a batch of its own with its marker last (badger commits
// a batch's transactions in order), unless a complete table is stored already.
func (s *Store) prepareSums(hx string, sums map[string]Checksum) (*sumsWrite, error) {
	t := &sumsWrite{hx: hx, entries: len(sums)}
	var size int64
	for name, c := range sums {
		if name == "" || len(name) > maxKeyLen {
			continue
		}
		k, v := sumKey(hx, name), encodeSum(c)
		t.keys, t.vals = append(t.keys, k), append(t.vals, v)
		size += int64(len(k)+len(v)) + 12 // badger's own estimate of an entry
	}
	if int64(len(t.keys)) < s.db.MaxBatchCount()/sumsTxnShare && size < s.db.MaxBatchSize()/sumsTxnShare {
		return t, nil
	}
	t.written = true
	if has, err := s.HasSums(Digest(digestPrefix + hx)); err != nil || has {
		return t, err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for i, k := range t.keys {
		if err := wb.Set(k, t.vals[i]); err != nil {
			return nil, fmt.Errorf("cache: checksum table: %w", err)
		}
	}
	if err := wb.Set(sumsMarker(hx), putInt(int64(t.entries))); err != nil {
		return nil, fmt.Errorf("cache: checksum table: %w", err)
	}
	if err := wb.Flush(); err != nil {
		return nil, fmt.Errorf("cache: checksum table: %w", err)
	}
	return t, nil
}

// set writes the table in txn, its marker last.
func (t *sumsWrite) set(txn *badger.Txn) error {
	if t.written {
		return nil
	}
	for i, k := range t.keys {
		if err := txn.Set(k, t.vals[i]); err != nil {
			return fmt.Errorf("cache: checksum table: %w", err)
		}
	}
	return txn.Set(sumsMarker(t.hx), putInt(int64(t.entries)))
}

// setMissing is set unless txn sees a complete table of the blob already.
func (t *sumsWrite) setMissing(txn *badger.Txn) error {
	if t.written {
		return nil
	}
	if _, err := txn.Get(sumsMarker(t.hx)); !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	return t.set(txn)
}

// LookupSum finds name in the checksum table of the document blob doc. known is
// false when no complete table of doc is stored (build it with PutSums); found is
// false when the table has no such name.
func (s *Store) LookupSum(doc Digest, name string) (sum Checksum, found, known bool, err error) {
	hx, err := checkedHex(doc)
	if err != nil || name == "" || len(name) > maxKeyLen {
		return Checksum{}, false, false, err
	}
	err = s.db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get(sumsMarker(hx)); err != nil {
			if errors.Is(err, badger.ErrKeyNotFound) {
				return nil
			}
			return err
		}
		known = true
		item, err := txn.Get(sumKey(hx, name))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			if sum, found = decodeSum(v); !found {
				return fmt.Errorf("cache: malformed checksum table entry for %s", truncate(name, 80))
			}
			return nil
		})
	})
	return sum, found, known, err
}

// dropSums removes the checksum table of blob hx, if it has one: the marker first,
// so a table half dropped is one to build again, never one taken as complete.
func (s *Store) dropSums(hx string) error {
	had := false
	err := s.update(func(txn *badger.Txn) error {
		had = false
		if _, err := txn.Get(sumsMarker(hx)); err != nil {
			if errors.Is(err, badger.ErrKeyNotFound) {
				return nil
			}
			return err
		}
		had = true
		return txn.Delete(sumsMarker(hx))
	})
	if err != nil || !had {
		return err
	}
	return s.dropKeys(sumsPrefix(hx))
}

// dropKeys deletes every key under prefix.
func (s *Store) dropKeys(prefix []byte) error {
	var keys [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil {
		return err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			return err
		}
	}
	return wb.Flush()
}

// gcSums drops the checksum tables, whole or partial, of blobs no entry references.
func (s *Store) gcSums() error {
	docs := map[string]bool{} // hex -> still referenced
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pfxSums)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			hx, _, _ := strings.Cut(string(it.Item().Key()[len(pfxSums):]), "/")
			if _, seen := docs[hx]; !seen && validHex(hx) {
				docs[hx] = hasRefs(txn, hx)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for hx, referenced := range docs {
		if referenced {
			continue
		}
		if err := s.update(func(txn *badger.Txn) error { return txn.Delete(sumsMarker(hx)) }); err != nil {
			return err
		}
		if err := s.dropKeys(sumsPrefix(hx)); err != nil {
			return err
		}
	}
	return nil
}

// HasSums reports whether a complete checksum table of the document blob doc is stored.
func (s *Store) HasSums(doc Digest) (bool, error) {
	hx, err := checkedHex(doc)
	if err != nil {
		return false, err
	}
	err = s.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(sumsMarker(hx))
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}
