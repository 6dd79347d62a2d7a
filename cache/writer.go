package cache

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// Writer streams one blob into a temp file while hashing it. Write, Commit
// and Cancel are serialised (a timeout may Cancel from another goroutine);
// Path and Written may be read by readers tailing the file at any time.
// Commit or Cancel ends it; `defer w.Cancel()` is always safe.
type Writer struct {
	s         *Store
	opts      WriterOptions
	f         *os.File
	path      string
	sha       hash.Hash
	others    map[string]hash.Hash // extra algorithms named in opts.Expected
	small     []byte               // a copy of the bytes while they fit the hot tier
	whole     bool                 // written by WriteWhole: small is the caller's body, not a copy
	unwritten []byte               // hashed and counted, in room reserved for it, written by Commit
	sums      map[string]Checksum  // the blob's checksum table, indexed with it (KeepSums)
	// nameLater: the sha256 names the blob but verifies nothing (no expected
	// sha256), so it is not computed as the bytes arrive but from the temp file
	// at the commit, after the last byte went out (name.go).
	nameLater bool
	trail     *hashTrail // hashes the verifying checksums behind the writes, when set (trail.go)
	follower  *hashTrail // hashes the name behind the writes, when set (name.go)
	written   atomic.Int64
	flushed   int64 // bytes handed to startWriteback so far
	err       error // first write failure; Commit reports it
	mu        sync.Mutex
	finished  bool // committed or cancelled: the temp file is no longer ours
}

// writebackChunk is how many written bytes may wait in the page cache before
// the kernel is asked to start writing them out.
const writebackChunk = 8 << 20

// NewWriter creates a temp file in Dir/tmp for one blob.
func (s *Store) NewWriter(o WriterOptions) (*Writer, error) {
	return s.newWriter(o, false)
}

// createTemp creates a fill's temp file in Dir/tmp, which Open sweeps.
func (s *Store) createTemp() (*os.File, error) { return os.CreateTemp(s.tmpDir, "fill-*") }

// newWriter is NewWriter; whole writers keep no copy of their bytes (see WriteWhole).
func (s *Store) newWriter(o WriterOptions, whole bool) (*Writer, error) {
	if s.opts.ReadOnly {
		return nil, errors.New("cache: store is read-only")
	}
	o.Expected = append([]Checksum(nil), o.Expected...) // we normalise; the caller's slice stays as it was
	others := map[string]hash.Hash{}
	for i, c := range o.Expected {
		h, err := newHash(c.Algo)
		if err != nil {
			return nil, err
		}
		o.Expected[i].Hex = strings.ToLower(c.Hex)
		if c.Algo != "sha256" {
			others[c.Algo] = h
		}
	}
	f := o.Prepared.take()
	if f == nil {
		var err error
		if f, err = s.createTemp(); err != nil {
			return nil, fmt.Errorf("cache: temp file: %w", err)
		}
	}
	w := &Writer{s: s, opts: o, f: f, path: f.Name(), sha: sha256.New(), others: others, whole: whole}
	// A body held whole is hashed from memory, once, as it is handed over.
	w.nameLater = !whole && !expects(o.Expected, "sha256") && (o.ExpectedSize < 0 || o.ExpectedSize >= lateNameMin)
	verifying := make([]hash.Hash, 0, len(others)+1)
	for _, h := range others {
		verifying = append(verifying, h)
	}
	if !w.nameLater {
		verifying = append(verifying, w.sha)
	}
	if !whole && trailWanted(o.ExpectedSize, len(verifying)) {
		w.startTrail(verifying)
	}
	w.startNameFollower()
	if !whole && o.ExpectedSize >= 0 && o.ExpectedSize <= s.opts.HotMaxItem {
		w.small = make([]byte, 0, o.ExpectedSize) // one allocation for the hot-tier copy
	}
	return w, nil
}

func newHash(algo string) (hash.Hash, error) {
	switch algo {
	case "md5":
		return md5.New(), nil
	case "sha1":
		return sha1.New(), nil
	case "sha256":
		return sha256.New(), nil
	case "sha512":
		return sha512.New(), nil
	}
	return nil, fmt.Errorf("cache: unsupported checksum algorithm %q", algo)
}

// Write appends p to the temp file and the hashes. It fails with ErrTooLarge
// past MaxSize, and with ErrVerify as soon as the bytes exceed a declared
// ExpectedSize, so an oversized upstream body is cut off early.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	if w.finished {
		return 0, errors.New("cache: write after commit or cancel")
	}
	total := w.written.Load() + int64(len(p))
	if w.opts.MaxSize > 0 && total > w.opts.MaxSize {
		w.err = fmt.Errorf("%w: over %d bytes", ErrTooLarge, w.opts.MaxSize)
		return 0, w.err
	}
	if w.opts.ExpectedSize >= 0 && total > w.opts.ExpectedSize {
		w.err = fmt.Errorf("%w: more than the expected %d bytes", ErrVerify, w.opts.ExpectedSize)
		return 0, w.err
	}
	n, err := w.f.Write(p)
	w.hash(p[:n])
	if done := w.written.Add(int64(n)); done-w.flushed >= writebackChunk {
		startWriteback(w.f, w.flushed, done-w.flushed)
		w.flushed = done
	}
	if w.trail != nil {
		w.trail.nudge()
	}
	if w.follower != nil {
		w.follower.nudge()
	}
	if err != nil {
		w.err = fmt.Errorf("cache: write temp file: %w", err)
		return n, w.err
	}
	return n, nil
}

func (w *Writer) hash(p []byte) {
	if w.trail == nil {
		if !w.nameLater {
			w.sha.Write(p)
		}
		for _, h := range w.others {
			h.Write(p)
		}
	}
	if w.whole {
		return
	}
	if w.written.Load()+int64(len(p)) <= w.s.opts.HotMaxItem {
		w.small = append(w.small, p...)
	} else {
		w.small = nil
	}
}

// Path is the temp file's path. Readers may open it and tail it as it grows;
// their descriptors stay valid after Commit renames or Cancel removes it.
func (w *Writer) Path() string { return w.path }

// Written is how many bytes have been written so far.
func (w *Writer) Written() int64 { return w.written.Load() }

// Digest is the sha256 of the bytes written so far; call it after the last Write.
// A blob named late is hashed from its temp file here; a failure to read it back
// is the error Commit reports.
func (w *Writer) Digest() Digest {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.caughtUp(); err != nil && w.err == nil {
		w.err = err
	}
	if err := w.name(); err != nil && w.err == nil {
		w.err = err
	}
	return w.digest()
}

// digest is the sha256 hashed so far; a blob named late must be named first.
func (w *Writer) digest() Digest {
	return Digest(digestPrefix + hex.EncodeToString(w.sha.Sum(nil)))
}

// Cancel removes the temp file. It is a no-op after Commit or a first Cancel.
func (w *Writer) Cancel() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return
	}
	w.finished = true
	w.discard()
}

// caughtUp waits for the trail, if any, to hash every byte written; the caller
// holds w.mu.
func (w *Writer) caughtUp() error {
	if w.trail == nil {
		return nil
	}
	return w.trail.catchUp(w.written.Load())
}

// discard closes and removes the temp file; the caller holds w.mu.
func (w *Writer) discard() {
	w.trail.end()
	w.follower.end()
	_ = w.f.Close()
	if err := os.Remove(w.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		w.s.log.Warn().Err(err).Msg("remove temp file failed")
	}
}

// check compares the written bytes with what was declared.
// Verify reports whether the bytes written so far are the whole, declared content:
// the expected size and every expected checksum. Commit checks again; Verify lets a
// caller release verified bytes before the commit's fsync has finished.
func (w *Writer) Verify() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.check()
}

func (w *Writer) check() error {
	if w.err != nil {
		return w.err
	}
	if n := w.written.Load(); w.opts.ExpectedSize >= 0 && n != w.opts.ExpectedSize {
		return fmt.Errorf("%w: got %d bytes, expected %d", ErrVerify, n, w.opts.ExpectedSize)
	}
	if err := w.caughtUp(); err != nil {
		return err
	}
	for _, c := range w.opts.Expected {
		h := w.sha
		if c.Algo != "sha256" {
			h = w.others[c.Algo]
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != c.Hex {
			return fmt.Errorf("%w: %s is %s, expected %s", ErrVerify, c.Algo, got, truncate(c.Hex, 128))
		}
	}
	return nil
}
