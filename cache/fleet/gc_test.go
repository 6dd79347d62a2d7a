package fleet

import (
	"context"
	"strings"
	"testing"
	"time"

	"hoard/cache"
)

func TestGCKeepsReferencedAndYoungBlobs(t *testing.T) {
	ctx := context.Background()
	b := NewMemoryBucket()
	tier := newTier(t, b, "a")
	old := func() time.Time { return time.Now().Add(-2 * time.Hour) } // past the 1h grace
	b.Now = old
	kept := commit(t, tier.o.Store, "npm/kept.tgz", []byte("kept"), cache.Entry{})
	if err := tier.Publish(ctx, kept); err != nil {
		t.Fatal(err)
	}
	orphanOld := []byte("orphan, old")
	b.Put(ctx, blobObject(hexOf(orphanOld)), strings.NewReader(string(orphanOld)), int64(len(orphanOld)), PutOptions{})
	b.Put(ctx, leaseObject("npm/dead.tgz"), strings.NewReader("dead"), 4, PutOptions{})
	b.Now = nil
	orphanYoung := []byte("orphan, young")
	b.Put(ctx, blobObject(hexOf(orphanYoung)), strings.NewReader(string(orphanYoung)), int64(len(orphanYoung)), PutOptions{})

	rep, err := tier.GC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.BlobsRemoved != 1 || rep.BytesRemoved != int64(len(orphanOld)) || rep.LeasesRemoved != 1 {
		t.Fatalf("report %+v", rep)
	}
	for _, want := range []string{blobObject(kept.Digest.Hex()), blobObject(hexOf(orphanYoung)), entryObject(kept.Key)} {
		if _, err := b.Head(ctx, want); err != nil {
			t.Errorf("%s removed: %v", want, err)
		}
	}
	if _, err := b.Head(ctx, blobObject(hexOf(orphanOld))); err == nil {
		t.Error("unreferenced old blob kept")
	}
}

func TestGCRetentionThenBlob(t *testing.T) {
	ctx := context.Background()
	b := NewMemoryBucket()
	tier := newTier(t, b, "a")
	tier.o.Retention = time.Hour
	b.Now = func() time.Time { return time.Now().Add(-3 * time.Hour) }
	e := commit(t, tier.o.Store, "npm/expired.tgz", []byte("expired"), cache.Entry{})
	if err := tier.Publish(ctx, e); err != nil {
		t.Fatal(err)
	}
	b.Now = nil
	rep, err := tier.GC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.EntriesRemoved != 1 || rep.BlobsRemoved != 1 {
		t.Fatalf("report %+v", rep)
	}
	if len(b.Keys()) != 0 {
		t.Fatalf("left %v", b.Keys())
	}
}

func TestPublishRefreshesAnOldBlob(t *testing.T) {
	ctx := context.Background()
	b := NewMemoryBucket()
	tier := newTier(t, b, "a")
	body := []byte("shared by two keys")
	b.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	b.Put(ctx, blobObject(hexOf(body)), strings.NewReader(string(body)), int64(len(body)), PutOptions{})
	b.Now = nil
	// A new record referencing the old blob: the grace period must start again,
	// so a GC that listed records before it cannot take the blob.
	e := commit(t, tier.o.Store, "npm/second.tgz", body, cache.Entry{})
	if err := tier.Publish(ctx, e); err != nil {
		t.Fatal(err)
	}
	o, err := b.Head(ctx, refObject(hexOf(body)))
	if err != nil || time.Since(o.LastModified) > time.Minute {
		t.Fatalf("old blob's new reference not recorded: %v %v", o.LastModified, err)
	}
	// And a GC now, the record aside, keeps the blob for the new reference's sake.
	b.Delete(ctx, entryObject(e.Key), "")
	if rep, err := tier.GC(ctx); err != nil || rep.BlobsRemoved != 0 {
		t.Fatalf("gc removed a blob referenced anew: %+v %v", rep, err)
	}
}
