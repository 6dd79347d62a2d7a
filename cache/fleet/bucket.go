// Package fleet is the tier several Hoard nodes share: blobs and entry records in
// one S3-compatible bucket, behind each node's own disk cache. A fill committed on
// one node is published here; a local miss on another imports it instead of
// fetching it upstream again. Leases in the bucket coalesce cold fills across
// nodes. It imports nothing of Hoard's but the cache.
package fleet

import (
	"context"
	"errors"
	"io"
	"time"
)

// Errors a Bucket returns, tested with errors.Is.
var (
	// ErrNotFound: no object at the key.
	ErrNotFound = errors.New("fleet: object not found")
	// ErrExists: a conditional put found an object at the key already.
	ErrExists = errors.New("fleet: object exists")
)

// Object describes one stored object.
type Object struct {
	Key          string // relative to the tier's prefix
	Size         int64
	ETag         string
	LastModified time.Time
}

// PutOptions say how an object is written.
type PutOptions struct {
	// IfAbsent: write only if no object is at the key (If-None-Match: *), else
	// ErrExists. Never overwriting is what keeps a blob the bytes it was named for
	// and makes a lease exclusive.
	IfAbsent bool
	// SHA256, when set, is the digest of the body: the server checks it and
	// refuses bytes damaged on the way.
	SHA256 []byte
}

// Bucket is the little of S3 the tier uses. Keys are relative to a prefix the
// implementation adds. S3Bucket talks to a real server; MemoryBucket is an
// in-process stand-in for tests.
type Bucket interface {
	Put(ctx context.Context, key string, body io.ReadSeeker, size int64, o PutOptions) error
	Get(ctx context.Context, key string) (io.ReadCloser, Object, error)
	Head(ctx context.Context, key string) (Object, error)
	// Delete removes the object; with ifMatch set, only if its ETag is still that
	// (a server that ignores the condition deletes anyway). Deleting a missing
	// object is not an error.
	Delete(ctx context.Context, key, ifMatch string) error
	// List calls fn for every object under prefix, in key order.
	List(ctx context.Context, prefix string, fn func(Object) error) error
}
