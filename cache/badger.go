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
//	e/<key>        -> Entry in the binary form of codec.go (JSON when written by older versions)
//	a/<key>        -> last access, unix nanos (8 bytes big-endian); written at commit and by Touch
//	r/<hex>/<key>  -> empty: reverse reference, so a blob knows who uses it
//	b/<hex>        -> blob size (8 bytes); present while any reference exists
//	p/<key>        -> empty: the operator pinned the entry; eviction passes it by
const (
	pfxEntry  = "e/"
	pfxAccess = "a/"
	pfxRef    = "r/"
	pfxBlob   = "b/"
	pfxPin    = "p/"
)

// maxKeyLen keeps keys well inside badger's 65,000-byte limit, reference prefix included.
const maxKeyLen = 4096

func entryKey(key string) []byte  { return []byte(pfxEntry + key) }
func accessKey(key string) []byte { return []byte(pfxAccess + key) }
func blobKey(hex string) []byte   { return []byte(pfxBlob + hex) }
func pinKey(key string) []byte    { return []byte(pfxPin + key) }
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

// badgerOptions tunes badger for a 2-core machine with a few GiB of RAM,
// aiming at ~150 MB of anonymous memory with a million entries.
//
// Expected memory of the index:
//   - memtable: 8 MiB arena (+ ~2.5 MiB batch slack) per memtable, up to
//     NumMemtables (2) + 1 being flushed; pages become resident as written.
//   - block cache 16 MiB of decompressed blocks + index/bloom cache 8 MiB,
//     filled on use; lookups of hot keys are answered by the entry cache.
//   - compaction: table builders of about 2x BaseTableSize (1 MiB) each, up
//     to ~13 per compaction; ~40 MiB transient while a bulk load settles.
//   - tables are mmapped (badger v4 has no other way to read them): every
//     page read stays in the process's file-backed RSS, up to ~100 MiB of
//     entry tables at 1M entries under random lookups. It is page cache, which
//     the kernel reclaims under pressure.
//   - Open reads no table when the last Close saved the counters (see
//     loadCounters); a recount after a crash reads them all.
//
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
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithBlockCacheSize(16 << 20).
		WithIndexCacheSize(8 << 20).
		WithValueLogFileSize(64 << 20).
		WithBaseTableSize(1 << 20).
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
