package cache

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestDedupAndReferenceCounting(t *testing.T) {
	s := openTest(t, Options{})
	data := []byte("shared bytes")
	a := put(t, s, "npm/a.tgz", data)
	b := put(t, s, "npm/b.tgz", data)
	if a.Digest != b.Digest {
		t.Fatal("same bytes, different digests")
	}
	if st := s.Stats(); st.Entries != 2 || st.Bytes != int64(len(data)) {
		t.Fatalf("Stats = %+v, want 2 entries and the bytes counted once", st)
	}
	if err := s.Delete("npm/a.tgz"); err != nil {
		t.Fatal(err)
	}
	if !blobExists(s, a.Digest) {
		t.Fatal("blob removed while npm/b.tgz still references it")
	}
	readBlob(t, s, b)
	if err := s.Delete("npm/b.tgz"); err != nil {
		t.Fatal(err)
	}
	if blobExists(s, a.Digest) || s.Stats() != (Stats{}) {
		t.Fatalf("last reference gone, blob kept; Stats = %+v", s.Stats())
	}
}

func TestReplaceKeyDropsOldBlob(t *testing.T) {
	s := openTest(t, Options{})
	old := put(t, s, "meta", []byte("v1"))
	shared := put(t, s, "other", []byte("v2"))
	put(t, s, "meta", []byte("v2")) // now shares with "other"
	if blobExists(s, old.Digest) {
		t.Fatal("old blob of a replaced entry kept")
	}
	if st := s.Stats(); st.Entries != 2 || st.Bytes != 2 {
		t.Fatalf("Stats = %+v", st)
	}
	e, err := s.Lookup("meta")
	if err != nil || e.Digest != shared.Digest {
		t.Fatalf("Lookup = %+v, %v", e, err)
	}
}

func TestConcurrentCommitsSameBytes(t *testing.T) {
	s := openTest(t, Options{})
	data := []byte("everyone fetched this at once")
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := s.NewWriter(WriterOptions{ExpectedSize: int64(len(data))})
			if err != nil {
				errs <- err
				return
			}
			defer w.Cancel()
			_, _ = w.Write(data)
			if _, err := w.Commit(fmt.Sprintf("k%d", i), Entry{}); err != nil {
				errs <- err
			}
			if i%2 == 1 { // deletes racing with commits of the same digest
				errs <- s.Delete(fmt.Sprintf("k%d", i))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if st := s.Stats(); st.Entries != n/2 || st.Bytes != int64(len(data)) {
		t.Fatalf("Stats = %+v", st)
	}
	for i := 0; i < n; i += 2 {
		e, err := s.Lookup(fmt.Sprintf("k%d", i))
		if err != nil {
			t.Fatal(err)
		}
		readBlob(t, s, e)
	}
	if len(tmpFiles(t, s)) != 0 {
		t.Fatal("temp files left")
	}
}

func TestLink(t *testing.T) {
	s := openTest(t, Options{})
	e := put(t, s, "oci/blobs/sha256:abc", []byte("layer"))
	if err := s.Link("oci/manifests/latest", Entry{Digest: e.Digest, ContentType: "x/y"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Lookup("oci/manifests/latest")
	if err != nil || got.Size != e.Size || got.ContentType != "x/y" {
		t.Fatalf("Lookup = %+v, %v", got, err)
	}
	if st := s.Stats(); st.Entries != 2 || st.Bytes != e.Size {
		t.Fatalf("Stats = %+v", st)
	}
	missing := Digest("sha256:" + sha256Hex([]byte("never stored")))
	if err := s.Link("x", Entry{Digest: missing}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Link(missing) = %v", err)
	}
	if err := s.Link("x", Entry{Digest: "sha256:../../etc"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Link(forged) = %v", err)
	}
}
