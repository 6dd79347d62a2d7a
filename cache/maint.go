package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// tmpMaxAge is how old a temp file must be before GC takes it for abandoned;
// a live fill writes to its file, which keeps its modification time fresh.
const tmpMaxAge = time.Hour

// Verify re-hashes every blob file. A blob whose sha256 differs from its name
// is removed with every entry referencing it, so the next request refills it.
// A read-only store only reports.
func (s *Store) Verify(ctx context.Context) (VerifyReport, error) {
	var rep VerifyReport
	tick := s.progressTicker(ctx)
	err := s.walkBlobs(ctx, func(hx, path string, info fs.FileInfo) error {
		defer tick(info.Size())
		ok, err := hashMatches(ctx, path, hx)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed since the directory was listed
		}
		if err != nil {
			return err
		}
		rep.Checked++
		if ok {
			return nil
		}
		rep.Corrupt++
		s.log.Error().Str("digest", hx).Msg("verify: blob does not match its digest")
		if !s.opts.ReadOnly {
			rep.Dropped += s.dropDigest(hx, info)
		}
		return nil
	})
	return rep, err
}

// dropDigest removes a corrupt blob, then every entry referencing it. The
// file goes first, under the digest lock, so that a concurrent commit of the
// same bytes places a fresh file instead of reusing the bad one. info, when
// given, guards against removing a file that was replaced since it was read.
func (s *Store) dropDigest(hx string, info fs.FileInfo) int {
	unlock := s.lockDigest(hx)
	path := s.blobPath(hx)
	if cur, err := os.Stat(path); err == nil && (info == nil || os.SameFile(cur, info)) {
		if err := os.Remove(path); err != nil {
			s.log.Error().Err(err).Str("digest", hx).Msg("remove corrupt blob failed")
		}
	} else if err == nil {
		unlock()
		return 0 // replaced by a fresh commit meanwhile
	}
	s.blobs.Del(hx)
	unlock()

	keys, err := s.refsOf(hx)
	if err != nil {
		s.log.Error().Err(err).Str("digest", hx).Msg("list references failed")
	}
	dropped := 0
	for _, k := range keys {
		if ok, _ := s.deleteIf(k, hx, 0); ok {
			dropped++
		}
	}
	s.unref(hx) // clears the size record when there were no entries to drop
	return dropped
}

func (s *Store) referenced(hx string) bool {
	var yes bool
	_ = s.db.View(func(txn *badger.Txn) error { yes = hasRefs(txn, hx); return nil })
	return yes
}

func (s *Store) refsOf(hx string) ([]string, error) {
	var keys []string
	pfx := refPrefix(hx)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfx})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, string(it.Item().Key()[len(pfx):]))
		}
		return nil
	})
	return keys, err
}

// GC removes blob files and size records that no entry references (left by a
// crash between a rename and its index write, or between the two steps of an
// unreference), temp files older than an hour, and first-seen records whose
// package left the cache long enough ago.
func (s *Store) GC(ctx context.Context) (GCReport, error) {
	var rep GCReport
	if s.opts.ReadOnly {
		return rep, errors.New("cache: store is read-only")
	}
	rep.TmpRemoved, rep.TmpBytes = s.sweptFiles, s.sweptBytes // swept when this store opened
	tick := s.progressTicker(ctx)
	err := s.walkBlobs(ctx, func(hx, _ string, info fs.FileInfo) error {
		defer tick(info.Size())
		if s.referenced(hx) {
			return nil // the common case, checked without the digest lock
		}
		if s.unref(hx) {
			rep.Removed++
			rep.RemovedBytes += info.Size()
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if err := s.gcBlobRecords(ctx); err != nil {
		return rep, err
	}
	if err := s.gcSums(); err != nil {
		return rep, err
	}
	if rep.SeenRemoved, err = s.gcSeen(ctx, time.Now()); err != nil {
		return rep, err
	}
	return rep, s.gcTmp(ctx, &rep)
}

// gcBlobRecords drops b/ records of blobs that nothing references.
func (s *Store) gcBlobRecords(ctx context.Context) error {
	var hexes []string
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pfxBlob)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			hexes = append(hexes, string(it.Item().Key()[len(pfxBlob):]))
		}
		return nil
	})
	for _, hx := range hexes {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if validHex(hx) {
			s.unref(hx)
		}
	}
	return err
}

func (s *Store) gcTmp(ctx context.Context, rep *GCReport) error {
	ents, err := os.ReadDir(s.tmpDir)
	if err != nil {
		return fmt.Errorf("cache: read tmp: %w", err)
	}
	cutoff := time.Now().Add(-tmpMaxAge)
	for _, e := range ents {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue
		}
		if os.RemoveAll(filepath.Join(s.tmpDir, e.Name())) == nil {
			rep.TmpRemoved++
			rep.TmpBytes += info.Size()
		}
	}
	return nil
}

// walkBlobs calls fn for every well-named blob file. Anything else in the
// blob tree is left alone: only validated hex ever names a file we touch.
func (s *Store) walkBlobs(ctx context.Context, fn func(hx, path string, info fs.FileInfo) error) error {
	shards, err := os.ReadDir(s.blobDir)
	if err != nil {
		return fmt.Errorf("cache: read blobs: %w", err)
	}
	for _, sh := range shards {
		if !sh.IsDir() || len(sh.Name()) != 2 {
			continue
		}
		files, err := os.ReadDir(filepath.Join(s.blobDir, sh.Name()))
		if err != nil {
			return fmt.Errorf("cache: read blobs: %w", err)
		}
		for _, f := range files {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			hx := f.Name()
			if !validHex(hx) || hx[:2] != sh.Name() || !f.Type().IsRegular() {
				continue
			}
			info, err := f.Info()
			if err != nil {
				continue // removed since listed
			}
			if err := fn(hx, s.blobPath(hx), info); err != nil {
				return err
			}
		}
	}
	return nil
}

// hashMatches streams the file through sha256, stopping early if ctx ends.
func hashMatches(ctx context.Context, path, hx string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		return false, fmt.Errorf("cache: hash %s: %w", hx, err)
	}
	return hex.EncodeToString(h.Sum(nil)) == hx, nil
}

// ContextReader wraps r so that a read fails once ctx is done: a long copy
// (a verify pass, an import) stops soon after its caller goes away.
func ContextReader(ctx context.Context, r io.Reader) io.Reader {
	return ctxReader{ctx, r}
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
