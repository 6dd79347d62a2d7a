package cache

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// After a restart the hot tier is empty: a small blob's first hit reads it from
// disk, verifies it and admits it; blobs over the promotion limit stay on disk,
// and one whose bytes rotted is refused and dropped.
func TestServeBytesPromotesSmallBlobsAfterRestart(t *testing.T) {
	s := openTest(t, Options{})
	small := put(t, s, "small", bytes.Repeat([]byte("s"), 1000))
	large := put(t, s, "large", bytes.Repeat([]byte("l"), promoteMax+1))
	s = reopen(t, s)
	if _, ok := s.HotBytes(small); ok {
		t.Fatal("hot tier survived a restart: the test needs it empty")
	}
	if b, ok := s.ServeBytes(small); !ok || !bytes.Equal(b, bytes.Repeat([]byte("s"), 1000)) {
		t.Fatalf("ServeBytes(small) = %d bytes, %v", len(b), ok)
	}
	deadline := time.Now().Add(5 * time.Second)
	for { // ristretto applies a Set asynchronously
		if _, ok := s.HotBytes(small); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the promoted blob never reached the hot tier")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, ok := s.ServeBytes(large); ok {
		t.Fatal("a blob over the promotion limit was read into memory")
	}

	rotten := put(t, s, "rotten", bytes.Repeat([]byte("r"), 1000))
	s = reopen(t, s)
	if err := os.WriteFile(s.blobPath(rotten.Digest.Hex()), bytes.Repeat([]byte("x"), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.ServeBytes(rotten); ok {
		t.Fatal("rotten bytes were served")
	}
	mustNotFound(t, s, "rotten")
}
