package cache

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// waitHot waits for ristretto, which applies a Set asynchronously, to hold e's bytes.
func waitHot(t *testing.T, s *Store, e Entry) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := s.HotBytes(e); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the promoted blob never reached the hot tier")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// After a restart the hot tier is empty: a blob's first hit reads it from disk,
// verifies it and admits it, up to the hot tier's item limit; larger blobs stay
// on disk, and one whose bytes rotted is refused and dropped.
func TestServeBytesPromotesBlobsAfterRestart(t *testing.T) {
	s := openTest(t, Options{})
	smallBody, mediumBody := bytes.Repeat([]byte("s"), 1000), bytes.Repeat([]byte("m"), 200<<10)
	small := put(t, s, "small", smallBody)
	medium := put(t, s, "medium", mediumBody)
	large := put(t, s, "large", bytes.Repeat([]byte("l"), int(s.opts.HotMaxItem)+1))
	s = reopen(t, s)
	if _, ok := s.HotBytes(small); ok {
		t.Fatal("hot tier survived a restart: the test needs it empty")
	}
	for _, c := range []struct {
		e    Entry
		body []byte
	}{{small, smallBody}, {medium, mediumBody}} {
		if b, ok := s.ServeBytes(c.e); !ok || !bytes.Equal(b, c.body) {
			t.Fatalf("ServeBytes(%s) = %d bytes, %v", c.e.Key, len(b), ok)
		}
		waitHot(t, s, c.e)
	}
	if _, ok := s.ServeBytes(large); ok {
		t.Fatal("a blob over the hot tier's item limit was read into memory")
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

// A large blob the hot tier did not keep is served from its file until
// promoteRetry has passed, instead of being read and hashed on every hit.
func TestServeBytesRetriesLargePromotionsOnlyNowAndThen(t *testing.T) {
	s := openTest(t, Options{})
	body := bytes.Repeat([]byte("m"), promoteFree+1)
	e := put(t, s, "medium", body)
	s = reopen(t, s)
	if b, ok := s.ServeBytes(e); !ok || !bytes.Equal(b, body) {
		t.Fatalf("first hit after a restart: %d bytes, %v", len(b), ok)
	}
	waitHot(t, s, e)
	hex := e.Digest.Hex()
	s.blobs.Del(hex) // as if the tier had turned it away
	s.blobs.Wait()
	if _, ok := s.ServeBytes(e); ok {
		t.Fatal("a blob promoted a moment ago was read again")
	}
	s.promoted.Add(hex, time.Now().Add(-promoteRetry))
	if b, ok := s.ServeBytes(e); !ok || !bytes.Equal(b, body) {
		t.Fatalf("after promoteRetry: %d bytes, %v", len(b), ok)
	}
}
