package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Snapshot is a consistent view of entries and their blobs for an export from a
// live cache: each blob is hard-linked into a directory of its own under tmp, so
// an eviction or replacement meanwhile removes only the store's name for it, and
// the bytes stay readable until Close.
type Snapshot struct {
	Entries []Entry
	dir     string
}

// Snapshot collects the entries whose keys start with one of prefixes (all when
// none) and that were fetched after since (zero: all), and links their blobs. An
// entry whose blob is gone is left out.
func (s *Store) Snapshot(ctx context.Context, prefixes []string, since time.Time) (*Snapshot, error) {
	dir, err := os.MkdirTemp(s.tmpDir, "export-")
	if err != nil {
		return nil, fmt.Errorf("cache: snapshot: %w", err)
	}
	snap := &Snapshot{dir: dir}
	entries, err := s.entriesWith(ctx, prefixes, since)
	if err != nil {
		snap.Close()
		return nil, err
	}
	linked := map[string]bool{}
	for _, e := range entries {
		hx := e.Digest.Hex()
		if hx == "" {
			continue
		}
		if !linked[hx] {
			err := os.Link(s.blobPath(hx), filepath.Join(dir, hx))
			if errors.Is(err, fs.ErrNotExist) {
				continue // evicted since the index was read
			}
			if err != nil {
				snap.Close()
				return nil, fmt.Errorf("cache: snapshot: %w", err)
			}
			linked[hx] = true
		}
		snap.Entries = append(snap.Entries, e)
	}
	return snap, nil
}

// entriesWith reads the matching entries in key order.
func (s *Store) entriesWith(ctx context.Context, prefixes []string, since time.Time) ([]Entry, error) {
	if len(prefixes) == 0 {
		prefixes = []string{""}
	}
	var out []Entry
	for _, pfx := range prefixes {
		err := s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: entryKey(pfx), PrefetchValues: true, PrefetchSize: 64})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				if err := ctx.Err(); err != nil {
					return err
				}
				key := string(it.Item().Key()[len(pfxEntry):])
				var e Entry
				if err := it.Item().Value(func(v []byte) error {
					var err error
					e, err = decodeEntry(v)
					return err
				}); err != nil {
					s.log.Warn().Err(err).Str("key", truncate(key, 80)).Msg("snapshot: unreadable entry left out")
					continue
				}
				e.Key = key
				if since.IsZero() || e.FetchedAt.After(since) {
					out = append(out, e)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("cache: snapshot: %w", err)
		}
	}
	return out, nil
}

// Open opens the snapshot's copy of a blob.
func (sn *Snapshot) Open(d Digest) (*os.File, error) {
	hx, err := checkedHex(d)
	if err != nil {
		return nil, err
	}
	return os.Open(filepath.Join(sn.dir, hx))
}

// Close removes the snapshot's links; blobs the store no longer names go with them.
func (sn *Snapshot) Close() {
	if sn.dir != "" && strings.Contains(filepath.Base(sn.dir), "export-") {
		_ = os.RemoveAll(sn.dir)
	}
}

// HasBlob reports whether the blob is stored.
func (s *Store) HasBlob(d Digest) bool {
	hx := d.Hex()
	if hx == "" {
		return false
	}
	_, err := os.Stat(s.blobPath(hx))
	return err == nil
}

// Place verifies the written bytes and moves them into the blob store without
// indexing them: an import stages every blob of a bundle this way and links its
// entries (Link) only once all are verified. The blob directory's fsync is left to
// SyncPlaced, once for many blobs, which must run before they are linked. A placed
// blob that nothing links is removed by ReleaseBlob (or by gc after a crash).
func (w *Writer) Place() (Digest, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return "", errors.New("cache: place after commit or cancel")
	}
	w.finished = true
	if err := w.check(); err != nil {
		w.discard()
		return "", err
	}
	if err := w.f.Sync(); err != nil {
		w.discard()
		return "", fmt.Errorf("cache: fsync temp file: %w", err)
	}
	if err := w.f.Close(); err != nil {
		w.discard()
		return "", fmt.Errorf("cache: close temp file: %w", err)
	}
	d := w.digest()
	hx := d.Hex()
	unlock := w.s.lockDigest(hx)
	_, err := w.s.renameBlob(hx, w.path)
	unlock()
	return d, err
}

// SyncPlaced makes the placing of blobs durable: one fsync of each blob directory
// they went to.
func (s *Store) SyncPlaced(ds []Digest) error {
	done := map[string]bool{}
	for _, d := range ds {
		hx := d.Hex()
		if hx == "" || done[hx[:2]] {
			continue
		}
		done[hx[:2]] = true
		if err := syncDir(filepath.Dir(s.blobPath(hx))); err != nil {
			return err
		}
	}
	return nil
}

// ReleaseBlob removes a placed blob if no entry references it.
func (s *Store) ReleaseBlob(d Digest) {
	if hx := d.Hex(); hx != "" {
		s.unref(hx)
	}
}
