package cache

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseDigest(t *testing.T) {
	good := "sha256:" + strings.Repeat("ab", 32)
	cases := map[string]bool{
		good:                                 true,
		"sha256:" + strings.Repeat("AB", 32): false, // upper case
		"sha512:" + strings.Repeat("ab", 32): false,
		"sha256:" + strings.Repeat("ab", 31): false,
		"sha256:../../../../etc/passwd":      false,
		strings.Repeat("ab", 32):             false,
		"":                                   false,
	}
	for in, ok := range cases {
		d, err := ParseDigest(in)
		if (err == nil) != ok {
			t.Errorf("ParseDigest(%q) err = %v, want ok=%v", in, err, ok)
		}
		if ok && (d.String() != in || d.Hex() != in[7:]) {
			t.Errorf("ParseDigest(%q) = %q / %q", in, d, d.Hex())
		}
	}
	if Digest("sha256:../x").Hex() != "" {
		t.Error("Hex of a forged digest must be empty")
	}
}

func TestCommitLookupOpen(t *testing.T) {
	s := openTest(t, Options{})
	data := []byte("hello, hoard")
	e := put(t, s, "npm/github/left-pad/-/left-pad-1.0.0.tgz", data)
	if e.Key != "npm/github/left-pad/-/left-pad-1.0.0.tgz" || e.Size != int64(len(data)) ||
		e.Digest.Hex() != sha256Hex(data) || e.ContentType != "application/octet-stream" {
		t.Fatalf("committed entry = %+v", e)
	}
	for i := 0; i < 3; i++ { // first from badger, then from the entry cache
		got, err := s.Lookup(e.Key)
		if err != nil || got.Digest != e.Digest || got.Key != e.Key || !got.FetchedAt.Equal(e.FetchedAt) {
			t.Fatalf("Lookup = %+v, %v", got, err)
		}
		s.entries.Wait()
	}
	if b := readBlob(t, s, e); !bytes.Equal(b, data) {
		t.Fatalf("blob = %q", b)
	}
	s.blobs.Wait()
	if b, ok := s.HotBytes(e); !ok || !bytes.Equal(b, data) {
		t.Fatalf("HotBytes = %q, %v", b, ok)
	}
	if b, err := s.ReadSmall(e); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("ReadSmall = %q, %v", b, err)
	}
	if st := s.Stats(); st.Entries != 1 || st.Bytes != int64(len(data)) {
		t.Fatalf("Stats = %+v", st)
	}
	if len(tmpFiles(t, s)) != 0 {
		t.Fatal("temp file left after commit")
	}
	mustNotFound(t, s, "absent")
	mustNotFound(t, s, "")
}

func TestReadSmallFromDiskAndLimits(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, Options{Dir: dir, HotMaxItem: 16})
	small := put(t, s, "small", bytes.Repeat([]byte("s"), 40)) // over HotMaxItem: not hot
	if _, ok := s.HotBytes(small); ok {
		t.Fatal("blob over HotMaxItem must not be hot")
	}
	if b, err := s.ReadSmall(small); err != nil || len(b) != 40 {
		t.Fatalf("ReadSmall = %d bytes, %v", len(b), err)
	}
	big := put(t, s, "big", bytes.Repeat([]byte("b"), 65))
	if _, err := s.ReadSmall(big); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadSmall(big) = %v, want ErrTooLarge", err)
	}
	// A blob whose bytes rotted on disk is refused and dropped.
	if err := os.WriteFile(s.blobPath(small.Digest.Hex()), []byte("rotten"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadSmall(small); !errors.Is(err, ErrVerify) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("ReadSmall(rotten) = %v", err)
	}
	mustNotFound(t, s, "small")
}

func TestRefresh(t *testing.T) {
	s := openTest(t, Options{})
	put(t, s, "k", []byte("v"))
	if _, err := s.Lookup("k"); err != nil { // warm the entry cache
		t.Fatal(err)
	}
	at := time.Now().Add(time.Hour).Round(0)
	if err := s.Refresh("k", at, `"e2"`, "Tue, 01 Jan 2030 00:00:00 GMT"); err != nil {
		t.Fatal(err)
	}
	e, err := s.Lookup("k")
	if err != nil || e.ETag != `"e2"` || !e.FetchedAt.Equal(at) || e.LastModified == "" {
		t.Fatalf("after Refresh: %+v, %v", e, err)
	}
	if err := s.Refresh("absent", at, "", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Refresh(absent) = %v", err)
	}
}

func TestDeleteThenLookupIsNotFound(t *testing.T) {
	s := openTest(t, Options{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ { // readers racing to re-cache the entry being deleted
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					_, _ = s.Lookup("hot")
				}
			}
		}()
	}
	for i := 0; i < 100; i++ {
		put(t, s, "hot", []byte{byte(i)})
		if _, err := s.Lookup("hot"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete("hot"); err != nil {
			t.Fatal(err)
		}
		mustNotFound(t, s, "hot")
	}
	close(stop)
	wg.Wait()
	if err := s.Delete("never-existed"); err != nil {
		t.Fatalf("Delete(absent) = %v", err)
	}
}

func TestSelfHealMissingBlob(t *testing.T) {
	s := openTest(t, Options{})
	e := put(t, s, "k", []byte("gone soon"))
	if err := os.Remove(s.blobPath(e.Digest.Hex())); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenBlob(e); !errors.Is(err, ErrNotFound) {
		t.Fatalf("OpenBlob = %v, want ErrNotFound", err)
	}
	mustNotFound(t, s, "k")
	if st := s.Stats(); st.Entries != 0 || st.Bytes != 0 {
		t.Fatalf("Stats after self-heal = %+v", st)
	}
	if _, err := s.OpenBlob(Entry{Key: "x", Digest: "sha256:../../etc/passwd"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("OpenBlob(forged) = %v", err)
	}
}

func TestOpenSweepsTmp(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.NewWriter(WriterOptions{ExpectedSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("interrupted fill"))
	leftover := w.Path() // as if the process died here
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tmp", "stray"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s2 := openTest(t, Options{Dir: dir})
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("leftover temp file still there: %v", err)
	}
	if n := len(tmpFiles(t, s2)); n != 0 {
		t.Fatalf("%d files left in tmp", n)
	}
}

func TestReopenPersists(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Entry{}
	for i := 0; i < 20; i++ {
		k := "maven/central/com/acme/x/1." + string(rune('a'+i)) + "/x.jar"
		want[k] = put(t, s, k, []byte(k[:20+i%3])) // some share bytes
	}
	st := s.Stats()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	s2 := openTest(t, Options{Dir: dir})
	if got := s2.Stats(); got != st {
		t.Fatalf("Stats after reopen = %+v, want %+v", got, st)
	}
	for k, e := range want {
		got, err := s2.Lookup(k)
		if err != nil || got.Digest != e.Digest || got.Size != e.Size {
			t.Fatalf("Lookup(%q) = %+v, %v", k, got, err)
		}
		readBlob(t, s2, got)
	}
}

func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "k", []byte("v"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro := openTest(t, Options{Dir: dir, ReadOnly: true})
	e, err := ro.Lookup("k")
	if err != nil {
		t.Fatal(err)
	}
	readBlob(t, ro, e)
	ro.Touch("k") // no-op, must not block
	if _, err := ro.NewWriter(WriterOptions{ExpectedSize: -1}); err == nil {
		t.Fatal("NewWriter on a read-only store must fail")
	}
	if rep, err := ro.Verify(t.Context()); err != nil || rep.Checked != 1 {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

func TestEntryHeaderRoundTrip(t *testing.T) {
	s := openTest(t, Options{})
	w, _ := s.NewWriter(WriterOptions{ExpectedSize: -1})
	_, _ = w.Write([]byte(`{"tags":["a"]}`))
	if _, err := w.Commit("oci/tags", Entry{Header: map[string]string{"Link": `</v2/x/tags/list?n=1&last=a>; rel="next"`}}); err != nil {
		t.Fatal(err)
	}
	e, err := s.Lookup("oci/tags")
	if err != nil || e.Header["Link"] == "" {
		t.Fatalf("Lookup = %+v, %v", e, err)
	}
	s.entries.Wait()
	e.Header["Link"] = "edited by a caller"
	if e2, _ := s.Lookup("oci/tags"); e2.Header["Link"] == "edited by a caller" {
		t.Fatal("a caller's edit leaked into the entry cache")
	}
}

// CompactIndex rewrites the index's tables; every entry and its blob must read
// the same afterwards, and the store must keep working.
func TestCompactIndexKeepsEntries(t *testing.T) {
	s := openTest(t, Options{})
	want := map[string][]byte{}
	for i := 0; i < 200; i++ {
		key := fmt.Sprintf("m/k%d", i)
		want[key] = []byte(fmt.Sprintf("body %d", i%17))
		put(t, s, key, want[key])
	}
	if err := s.Delete("m/k0"); err != nil {
		t.Fatal(err)
	}
	delete(want, "m/k0")
	if err := s.CompactIndex(); err != nil {
		t.Fatal(err)
	}
	mustNotFound(t, s, "m/k0")
	for key, body := range want {
		s.invalidate(key) // read the index, not the entry cache
		e, err := s.Lookup(key)
		if err != nil {
			t.Fatalf("%s after compaction: %v", key, err)
		}
		if got := readBlob(t, s, e); string(got) != string(body) {
			t.Fatalf("%s reads %q, want %q", key, got, body)
		}
	}
	put(t, s, "m/after", []byte("still writable"))
}
