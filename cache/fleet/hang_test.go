package fleet

import (
	"context"
	"io"
	"testing"
	"time"
)

// hangingBucket answers nothing until the caller gives up: a black-holed endpoint.
type hangingBucket struct{}

func (hangingBucket) Put(ctx context.Context, _ string, _ io.ReadSeeker, _ int64, _ PutOptions) error {
	<-ctx.Done()
	return ctx.Err()
}
func (hangingBucket) Get(ctx context.Context, _ string) (io.ReadCloser, Object, error) {
	<-ctx.Done()
	return nil, Object{}, ctx.Err()
}
func (hangingBucket) Head(ctx context.Context, _ string) (Object, error) {
	<-ctx.Done()
	return Object{}, ctx.Err()
}
func (hangingBucket) Delete(ctx context.Context, _, _ string) error { <-ctx.Done(); return ctx.Err() }
func (hangingBucket) List(ctx context.Context, _ string, _ func(Object) error) error {
	<-ctx.Done()
	return ctx.Err()
}

// A bucket that hangs costs a miss its caller's deadline and a fill its
// CallTimeout, then the node goes upstream as if it had no shared tier.
func TestHangingBucketCostsBoundedTime(t *testing.T) {
	tier, err := New(Options{Bucket: hangingBucket{}, Store: openStore(t), Node: "a", CallTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := tier.Import(ctx, "npm/x.tgz"); err == nil {
		t.Fatal("import from a hanging bucket succeeded")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("import waited %v past its caller's deadline", took)
	}
	start = time.Now()
	_, found, release := tier.Claim(context.Background(), "npm/x.tgz")
	release()
	if found {
		t.Fatal("claim found content in a hanging bucket")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("claim waited %v on a hanging bucket", took)
	}
}
