package cache

import (
	"runtime"
	"testing"
	"time"
)

// On one CPU, a big blob arriving slower than the CPU hashes has its name
// hashed as it arrives, in the gaps, and not all at its commit: by its last
// byte the follower has hashed most of it, and the commit names it right.
func TestNameFollowerHashesSlowBodyAsItArrives(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	w, data := sha1Writer(t, openTest(t, Options{}), 4<<20)
	if w.follower == nil {
		t.Fatal("no name follower on one CPU for a blob named late")
	}
	const step = 64 << 10
	for off := 0; off < len(data); off += step {
		if _, err := w.Write(data[off : off+step]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // an upstream at about 30 MB/s
	}
	if hashed, err := w.follower.hashed(); err != nil || hashed < int64(len(data))/2 {
		t.Fatalf("by the last byte the follower hashed %d of %d bytes (err %v); want at least half", hashed, len(data), err)
	}
	if err := w.Verify(); err != nil {
		t.Fatal(err)
	}
	e, err := w.Commit("k", Entry{})
	if err != nil || e.Digest.Hex() != sha256Hex(data) {
		t.Fatalf("Commit = %s, %v; want sha256:%s", e.Digest, err, sha256Hex(data))
	}
}

// With more than one CPU the name is hashed at the commit, on a CPU the next
// request does not need: there is no follower.
func TestNoNameFollowerOnMoreCPUs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	s := openTest(t, Options{})
	w, err := s.NewWriter(WriterOptions{ExpectedSize: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()
	if w.follower != nil {
		t.Fatal("a name follower on two CPUs")
	}
}
