// Package cache is Hoard's content-addressed store: blobs on disk named by their
// sha256, a badger index from cache keys to entries, a ristretto hot tier for small
// blobs, and an LRU size budget. It imports nothing else of Hoard's.
package cache

import (
	"errors"
	"time"
)

// Errors callers can test for with errors.Is.
var (
	// ErrNotFound: no entry for the key, or the entry's blob is gone (the entry is
	// then dropped, so the next fill heals it).
	ErrNotFound = errors.New("cache: not found")
	// ErrVerify: the written bytes do not match a declared size or checksum.
	ErrVerify = errors.New("cache: verification failed")
	// ErrTooLarge: the written bytes passed the writer's MaxSize.
	ErrTooLarge = errors.New("cache: blob too large")
)

// Entry is what the index holds for one cache key.
type Entry struct {
	Key          string    `json:"-"`
	Digest       Digest    `json:"d"`            // sha256 of the stored bytes
	Size         int64     `json:"s"`            // length of the stored bytes
	ContentType  string    `json:"ct,omitempty"` // as the upstream sent it
	ETag         string    `json:"et,omitempty"` // upstream validator, for revalidation
	LastModified string    `json:"lm,omitempty"` // upstream validator, for revalidation
	FetchedAt    time.Time `json:"f"`            // last time the upstream confirmed it
	Mutable      bool      `json:"m,omitempty"`  // metadata with a TTL, not an immutable artifact
	Private      bool      `json:"p,omitempty"`  // the upstream needed credentials to serve it
	// Source is the base URL of the upstream private content came from, for mounts
	// that group several upstreams (each may hold different content at a path).
	Source string `json:"src,omitempty"`
	// Header holds protocol headers served with the content (an OCI tag list's Link).
	Header map[string]string `json:"h,omitempty"`
}

// Checksum is a digest the bytes must match, as published next to an artifact.
type Checksum struct {
	Algo string // "md5", "sha1", "sha256" or "sha512"
	Hex  string // lower-case hex
}

// WriterOptions declares what a new blob must be.
type WriterOptions struct {
	ExpectedSize int64      // -1 when unknown
	Expected     []Checksum // all must match at Commit
	MaxSize      int64      // 0 means no limit; writing past it fails with ErrTooLarge
	Prepared     *Prepared  // a temp file made ready for this Writer (Store.Prepare); nil: it creates one
}

// Stats are the store's counters, read by the metrics exporter.
type Stats struct {
	Bytes     int64 // bytes of distinct blobs referenced by the index
	Entries   int64 // index entries
	Evictions int64 // entries evicted to keep the size budget since Open
}

// VerifyReport is what `hoard verify` found.
type VerifyReport struct {
	Checked int
	Corrupt int
	Dropped int // index entries dropped with the corrupt blobs
}

// GCReport is what `hoard gc` removed.
type GCReport struct {
	Removed      int   // unreferenced blob files
	RemovedBytes int64 // their size
	TmpRemoved   int   // temp files of interrupted or abandoned fills
	TmpBytes     int64 // their size
	SeenRemoved  int   // first-seen records whose package left the cache (see SeenRetention)
}
