package fleet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MemoryBucket is an in-process Bucket for tests, with S3's semantics for what
// the tier relies on: conditional puts, whole-object visibility, ETags.
type MemoryBucket struct {
	mu   sync.Mutex
	objs map[string]memObject
	seq  atomic.Int64
	// Now, if set, stamps LastModified (tests move it to age objects).
	Now func() time.Time
	// Gets counts Get calls by key prefix up to the first slash.
	Gets sync.Map
}

type memObject struct {
	data []byte
	etag string
	mod  time.Time
}

// NewMemoryBucket returns an empty bucket.
func NewMemoryBucket() *MemoryBucket { return &MemoryBucket{objs: map[string]memObject{}} }

func (b *MemoryBucket) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *MemoryBucket) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, o PutOptions) error {
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if size >= 0 && int64(len(data)) != size {
		return fmt.Errorf("memory bucket: body of %d bytes, declared %d", len(data), size)
	}
	if o.SHA256 != nil {
		if sum := sha256.Sum256(data); !bytes.Equal(sum[:], o.SHA256) {
			return errors.New("memory bucket: sha256 mismatch")
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.objs[key]; ok && o.IfAbsent {
		return ErrExists
	}
	b.objs[key] = memObject{data: data, etag: fmt.Sprintf(`"%d"`, b.seq.Add(1)), mod: b.now()}
	return nil
}

func (b *MemoryBucket) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if i := strings.IndexByte(key, '/'); i > 0 {
		n, _ := b.Gets.LoadOrStore(key[:i], new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.objs[key]
	if !ok {
		return nil, Object{}, ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(o.data)), o.describe(key), nil
}

// GetCount is how many Gets named a key under prefix (up to its first slash).
func (b *MemoryBucket) GetCount(prefix string) int64 {
	n, ok := b.Gets.Load(prefix)
	if !ok {
		return 0
	}
	return n.(*atomic.Int64).Load()
}

func (o memObject) describe(key string) Object {
	return Object{Key: key, Size: int64(len(o.data)), ETag: o.etag, LastModified: o.mod}
}

func (b *MemoryBucket) Head(ctx context.Context, key string) (Object, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.objs[key]
	if !ok {
		return Object{}, ErrNotFound
	}
	return o.describe(key), nil
}

func (b *MemoryBucket) Delete(ctx context.Context, key, ifMatch string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if o, ok := b.objs[key]; ok && (ifMatch == "" || o.etag == ifMatch) {
		delete(b.objs, key)
	}
	return nil
}

func (b *MemoryBucket) List(ctx context.Context, prefix string, fn func(Object) error) error {
	b.mu.Lock()
	var found []Object
	for k, o := range b.objs {
		if strings.HasPrefix(k, prefix) {
			found = append(found, o.describe(k))
		}
	}
	b.mu.Unlock()
	sort.Slice(found, func(i, j int) bool { return found[i].Key < found[j].Key })
	for _, o := range found {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// Keys lists every key, for tests.
func (b *MemoryBucket) Keys() []string {
	var keys []string
	_ = b.List(context.Background(), "", func(o Object) error { keys = append(keys, o.Key); return nil })
	return keys
}
