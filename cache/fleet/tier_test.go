package fleet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"hoard/cache"
)

func openStore(t testing.TB) *cache.Store {
	t.Helper()
	s, err := cache.Open(cache.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newTier(t testing.TB, b Bucket, node string) *Tier {
	t.Helper()
	tier, err := New(Options{Bucket: b, Store: openStore(t), Node: node, LeaseTTL: 300 * time.Millisecond, Grace: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return tier
}

func commit(t testing.TB, s *cache.Store, key string, body []byte, e cache.Entry) cache.Entry {
	t.Helper()
	w, err := s.NewWriter(cache.WriterOptions{ExpectedSize: int64(len(body))})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	got, err := w.Commit(key, e)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func readBlob(t *testing.T, s *cache.Store, e cache.Entry) []byte {
	t.Helper()
	f, err := s.OpenBlob(e)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return b
}

func hexOf(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestPublishThenImportOnAnotherNode(t *testing.T) {
	ctx := context.Background()
	b := NewMemoryBucket()
	a, other := newTier(t, b, "a"), newTier(t, b, "b")
	body := []byte("a jar's bytes")
	e := commit(t, a.o.Store, "maven/g/a/1/a-1.jar", body, cache.Entry{ContentType: "application/java-archive", Private: true, Source: "https://up"})
	if err := a.Publish(ctx, e); err != nil {
		t.Fatal(err)
	}
	want := []string{blobObject(hexOf(body)), entryObject(e.Key)}
	if got := b.Keys(); len(got) != 2 || got[0] != want[1] || got[1] != want[0] {
		t.Fatalf("bucket holds %v, want %v", got, want)
	}
	got, err := other.Import(ctx, e.Key)
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest != e.Digest || !got.Private || got.Source != "https://up" || got.ContentType != e.ContentType {
		t.Fatalf("imported %+v, published %+v", got, e)
	}
	if !bytes.Equal(readBlob(t, other.o.Store, got), body) {
		t.Fatal("imported bytes differ")
	}
	if _, err := other.o.Store.Lookup(e.Key); err != nil {
		t.Fatalf("imported entry not indexed: %v", err)
	}
	// Published again (another node filled it too): the blob is not uploaded twice.
	if err := other.Publish(ctx, got); err != nil {
		t.Fatal(err)
	}
	if n := a.Stats().Uploaded + other.Stats().Uploaded; n != 1 {
		t.Fatalf("%d uploads of one blob", n)
	}
}

func TestImportMissAndDamagedBlob(t *testing.T) {
	ctx := context.Background()
	b := NewMemoryBucket()
	a, other := newTier(t, b, "a"), newTier(t, b, "b")
	if _, err := other.Import(ctx, "npm/x.tgz"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("import of an unknown key: %v", err)
	}
	body := []byte("tarball")
	e := commit(t, a.o.Store, "npm/x.tgz", body, cache.Entry{})
	if err := a.Publish(ctx, e); err != nil {
		t.Fatal(err)
	}
	// The blob in the bucket is damaged (same length, other bytes): the import
	// must fail verification and index nothing.
	bad := []byte("tarbalL")
	b.mu.Lock()
	o := b.objs[blobObject(hexOf(body))]
	o.data = bad
	b.objs[blobObject(hexOf(body))] = o
	b.mu.Unlock()
	if _, err := other.Import(ctx, e.Key); !errors.Is(err, cache.ErrVerify) {
		t.Fatalf("import of a damaged blob: %v", err)
	}
	if _, err := other.o.Store.Lookup(e.Key); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("damaged import indexed: %v", err)
	}
}

func TestBlobsAreNeverOverwritten(t *testing.T) {
	ctx := context.Background()
	b := NewMemoryBucket()
	if err := b.Put(ctx, "k", strings.NewReader("one"), 3, PutOptions{IfAbsent: true}); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "k", strings.NewReader("two"), 3, PutOptions{IfAbsent: true}); !errors.Is(err, ErrExists) {
		t.Fatalf("second conditional put: %v", err)
	}
}

func TestRecordNamingAnotherKeyIsRefused(t *testing.T) {
	ctx := context.Background()
	b := NewMemoryBucket()
	a, other := newTier(t, b, "a"), newTier(t, b, "b")
	e := commit(t, a.o.Store, "npm/a.tgz", []byte("a"), cache.Entry{})
	if err := a.Publish(ctx, e); err != nil {
		t.Fatal(err)
	}
	// A record copied under another key's name must not serve that key.
	rc, _, _ := b.Get(ctx, entryObject("npm/a.tgz"))
	rec, _ := io.ReadAll(rc)
	b.Put(ctx, entryObject("npm/b.tgz"), bytes.NewReader(rec), int64(len(rec)), PutOptions{})
	if _, err := other.Import(ctx, "npm/b.tgz"); err == nil {
		t.Fatal("a record naming another key was imported")
	}
}

func TestClaimCoalescesNodes(t *testing.T) {
	ctx := context.Background()
	b := NewMemoryBucket()
	a, other := newTier(t, b, "a"), newTier(t, b, "b")
	key := "npm/cold.tgz"
	_, found, release := a.Claim(ctx, key)
	if found {
		t.Fatal("found before any fill")
	}
	var wg sync.WaitGroup
	var got cache.Entry
	var gotFound bool
	wg.Add(1)
	go func() {
		defer wg.Done()
		got, gotFound, _ = other.Claim(ctx, key)
	}()
	time.Sleep(100 * time.Millisecond) // the other node is waiting on the lease
	e := commit(t, a.o.Store, key, []byte("cold bytes"), cache.Entry{})
	if err := a.Publish(ctx, e); err != nil {
		t.Fatal(err)
	}
	release()
	wg.Wait()
	if !gotFound || got.Digest != e.Digest {
		t.Fatalf("waiting node got found=%v %+v", gotFound, got)
	}
	if other.Stats().LeaseWaits != 1 {
		t.Fatalf("lease waits %d", other.Stats().LeaseWaits)
	}
	if keys := b.Keys(); len(keys) != 2 {
		t.Fatalf("lease left behind: %v", keys)
	}
}

func TestStaleLeaseIsTakenOver(t *testing.T) {
	ctx := context.Background()
	b := NewMemoryBucket()
	other := newTier(t, b, "b")
	key := "npm/orphan.tgz"
	// A node killed mid-fill left its lease, never renewed.
	b.Now = func() time.Time { return time.Now().Add(-time.Minute) }
	b.Put(ctx, leaseObject(key), strings.NewReader("dead"), 4, PutOptions{IfAbsent: true})
	b.Now = nil
	_, found, release := other.Claim(ctx, key)
	defer release()
	if found {
		t.Fatal("found content nobody filled")
	}
	if other.Stats().LeaseTakeovers != 1 {
		t.Fatalf("takeovers %d", other.Stats().LeaseTakeovers)
	}
}

func TestLiveLeaseIsRenewed(t *testing.T) {
	ctx := context.Background()
	b := NewMemoryBucket()
	a, other := newTier(t, b, "a"), newTier(t, b, "b")
	key := "npm/slow.tgz"
	_, _, release := a.Claim(ctx, key)
	defer release()
	// Well past one lease life, the holder still renews it: the other node must
	// not take over a fill that is alive.
	wctx, cancel := context.WithTimeout(ctx, 1200*time.Millisecond)
	defer cancel()
	_, found, _ := other.Claim(wctx, key)
	if found || other.Stats().LeaseTakeovers != 0 {
		t.Fatalf("a live lease was taken over (found=%v, takeovers=%d)", found, other.Stats().LeaseTakeovers)
	}
}
