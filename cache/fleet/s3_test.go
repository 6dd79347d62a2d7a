package fleet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/cache"
	"hoard/cache/fleet/fleettest"
)

func s3Bucket(t testing.TB) (*S3Bucket, *fleettest.Server) {
	t.Helper()
	srv := fleettest.Start(t)
	cred := filepath.Join(t.TempDir(), "s3cred")
	os.WriteFile(cred, []byte(srv.Credentials()+"\n"), 0o600)
	b, err := NewS3Bucket(context.Background(), S3Options{Endpoint: srv.Endpoint, Bucket: srv.Bucket, Prefix: "fleet",
		PathStyle: true, Credentials: "file:" + cred})
	if err != nil {
		t.Fatal(err)
	}
	return b, srv
}

// The S3 bucket against a real server: the semantics the tier relies on.
func TestS3BucketAgainstVersityGW(t *testing.T) {
	ctx := context.Background()
	b, _ := s3Bucket(t)
	body := []byte("blob bytes")
	sum := sha256.Sum256(body)
	if err := b.Put(ctx, "sha256/ab/x", bytes.NewReader(body), int64(len(body)), PutOptions{IfAbsent: true, SHA256: sum[:]}); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "sha256/ab/x", strings.NewReader("other"), 5, PutOptions{IfAbsent: true}); !errors.Is(err, ErrExists) {
		t.Fatalf("conditional put over an object: %v", err)
	}
	wrong := sha256.Sum256([]byte("not these"))
	if err := b.Put(ctx, "sha256/ab/y", bytes.NewReader(body), int64(len(body)), PutOptions{SHA256: wrong[:]}); err == nil {
		t.Fatal("the server took bytes that do not match their sha256")
	}
	rc, obj, err := b.Get(ctx, "sha256/ab/x")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, body) || obj.Size != int64(len(body)) {
		t.Fatalf("got %q (%d)", got, obj.Size)
	}
	if _, _, err := b.Get(ctx, "sha256/ab/none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get of a missing key: %v", err)
	}
	if _, err := b.Head(ctx, "sha256/ab/none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("head of a missing key: %v", err)
	}
	var keys []string
	b.List(ctx, "sha256/", func(o Object) error { keys = append(keys, o.Key); return nil })
	if len(keys) != 1 || keys[0] != "sha256/ab/x" {
		t.Fatalf("listed %v", keys)
	}
	if err := b.Delete(ctx, "sha256/ab/x", ""); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, "sha256/ab/x", ""); err != nil {
		t.Fatalf("delete of a missing key: %v", err)
	}
}

// Publish on one node, import on another, through the real server.
func TestTierOverVersityGW(t *testing.T) {
	ctx := context.Background()
	b, srv := s3Bucket(t)
	a, other := newTier(t, b, "a"), newTier(t, b, "b")
	// LastModified has a resolution of a second on the server: leases live longer.
	a.o.LeaseTTL, other.o.LeaseTTL = 3*time.Second, 3*time.Second
	body := bytes.Repeat([]byte("0123456789"), 100_000)
	e := commit(t, a.o.Store, "npm/big.tgz", body, cache.Entry{ContentType: "application/octet-stream"})
	if err := a.Publish(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(srv.Dir, srv.Bucket, "fleet", blobObject(e.Digest.Hex()))); err != nil {
		t.Fatalf("blob not at its content address: %v", err)
	}
	got, err := other.Import(ctx, e.Key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readBlob(t, other.o.Store, got), body) {
		t.Fatal("imported bytes differ")
	}
	_, found, release := a.Claim(ctx, "npm/cold.tgz")
	if found {
		t.Fatal("found a key nobody filled")
	}
	wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, found2, _ := other.Claim(wctx, "npm/cold.tgz")
	cancel()
	release()
	if found2 || other.Stats().LeaseWaits != 1 {
		t.Fatalf("the second node did not wait on the lease (found=%v waits=%d)", found2, other.Stats().LeaseWaits)
	}
}
