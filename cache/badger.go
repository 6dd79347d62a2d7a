package cache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"
)

// Index layout in badger. Keys are the proxy's strings and never become paths.
//
//	e/<key>        -> Entry as JSON
//	a/<key>        -> last access, unix nanos (8 bytes big-endian); written at commit and by Touch
//	r/<hex>/<key>  -> empty: reverse reference, so a blob knows who uses it
//	b/<hex>        -> blob size (8 bytes); present while any reference exists
const (
	pfxEntry  = "e/"
	pfxAccess = "a/"
	pfxRef    = "r/"
	pfxBlob   = "b/"
)

// maxKeyLen keeps keys well inside badger's 65,000-byte limit, reference prefix included.
const maxKeyLen = 4096

func entryKey(key string) []byte  { return []byte(pfxEntry + key) }
func accessKey(key string) []byte { return []byte(pfxAccess + key) }
func blobKey(hex string) []byte   { return []byte(pfxBlob + hex) }
func refPrefix(hex string) []byte { return []byte(pfxRef + hex + "/") }
func refKey(hex, key string) []byte {
	return []byte(pfxRef + hex + "/" + key)
}

func validKey(key string) error {
	if key == "" || len(key) > maxKeyLen {
		return fmt.Errorf("cache: invalid key (length %d)", len(key))
	}
	return nil
}

func putInt(v int64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(v))
	return b
}

func getInt(b []byte) int64 {
	if len(b) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

// badgerOptions tunes badger for a 2-core machine with a few GiB of RAM.
//
// Expected memory of the index (budgets, then what BenchmarkOpenWithEntries
// and a fresh-process probe measured after Open, 50k lookups and 2k commits):
//   - memtable: 16 MiB arena (+ ~5 MiB batch slack) allocated per memtable, up
//     to NumMemtables (2) + 1 being flushed; pages become resident as written.
//     Measured: 21 MiB live.
//   - block cache 32 MiB + index/bloom cache 16 MiB, filled on use.
//     Measured: ~30 MiB of blocks after Open's counter scan.
//   - compaction: table builders of about 2x BaseTableSize each, up to ~13 per
//     compaction; ~70 MiB transient during a bulk load of 1M entries.
//   - tables are mmapped: their pages count as file-backed RSS, which is
//     reclaimable page cache: ~30 MiB at 100k entries, ~250 MiB at 1M.
//
// Whole store, live Go heap: ~90-115 MiB at both 100k and 1M entries (badger
// ~55, entry cache ~10, hot blobs ~8 at that workload), growing to ~170 MiB
// with full hot tiers (HotBytes 64 MiB + EntryBytes 16 MiB by default).
// Anonymous RSS runs up to about twice the live heap with GOGC=100, so set
// GOMEMLIMIT (e.g. 400MiB) on small machines.
func badgerOptions(o Options, log zerolog.Logger) badger.Options {
	opts := badger.DefaultOptions(filepath.Join(o.Dir, "index"))
	// Same-size tables on every level: a compaction holds up to ~13 table
	// builders of about twice the table size each, so growing tables per level
	// (badger's default) would mean ~200 MiB spikes on a large index.
	opts.TableSizeMultiplier = 1
	return opts.
		WithLogger(badgerLogger{log}).
		WithLoggingLevel(badger.WARNING).
		WithReadOnly(o.ReadOnly).
		WithMemTableSize(16 << 20).
		WithNumMemtables(2).
		WithBlockCacheSize(32 << 20).
		WithIndexCacheSize(16 << 20).
		WithValueLogFileSize(64 << 20).
		WithBaseTableSize(2 << 20).
		WithNumCompactors(2).
		WithNumLevelZeroTables(3).
		WithNumLevelZeroTablesStall(8).
		WithNumGoroutines(2).
		WithMetricsEnabled(false).
		// The index must be durable before a commit returns: a lost delete would
		// resurrect an entry whose blob is gone (self-healing, but wasteful).
		WithSyncWrites(true)
}

// badgerLogger routes badger's own log lines into zerolog; info and debug are
// dropped because badger is chatty about routine compactions.
type badgerLogger struct{ l zerolog.Logger }

func (b badgerLogger) Errorf(f string, a ...any)   { b.l.Error().Msgf(trimNL(f), a...) }
func (b badgerLogger) Warningf(f string, a ...any) { b.l.Warn().Msgf(trimNL(f), a...) }
func (b badgerLogger) Infof(string, ...any)        {}
func (b badgerLogger) Debugf(string, ...any)       {}

func trimNL(f string) string {
	if n := len(f); n > 0 && f[n-1] == '\n' {
		return f[:n-1]
	}
	return f
}

// update runs fn in a read-write transaction, retrying when a concurrent
// transaction touched the same keys. fn must reset any state it reports, as
// it may run several times.
func (s *Store) update(fn func(txn *badger.Txn) error) error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		err = s.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Microsecond)
	}
	return fmt.Errorf("cache: index busy: %w", err)
}

// hasRefs reports whether any entry still references the blob.
func hasRefs(txn *badger.Txn, hex string) bool {
	opts := badger.IteratorOptions{Prefix: refPrefix(hex)}
	it := txn.NewIterator(opts)
	defer it.Close()
	it.Rewind()
	return it.Valid()
}

// loadCounters recomputes Bytes and Entries from the index. It iterates keys
// only (b/ values are 8 bytes stored inline with the key), so it stays fast
// for a million entries; counters are not persisted, so a crash cannot skew them.
func (s *Store) loadCounters() error {
	var bytes, entries int64
	err := s.db.View(func(txn *badger.Txn) error {
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
		return fmt.Errorf("cache: load counters: %w", err)
	}
	s.bytes.Store(bytes)
	s.nEntries.Store(entries)
	return nil
}
