package cache

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"runtime"
	"testing"
	"time"
)

// On one CPU, a big blob arriving slower than the CPU hashes has its name
// hashed as it arrives, in the gaps, and not all at its commit: by its last
// byte the follower has hashed most of it, and the commit names it right.
func TestNameFollowerHashesSlowBodyAsItArrives(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	data := make([]byte, 4<<20)
	rand.Read(data)
	sum := sha1.Sum(data)
	s := openTest(t, Options{})
	w, err := s.NewWriter(WriterOptions{ExpectedSize: int64(len(data)), Expected: []Checksum{{Algo: "sha1", Hex: hex.EncodeToString(sum[:])}}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()
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

// spin keeps the CPU busy until stop is closed, then closes done.
func spin(stop <-chan struct{}, done chan<- time.Time) {
	for {
		select {
		case <-stop:
			done <- time.Now()
			return
		default:
		}
		for i := 0; i < 1000; i++ {
			_ = i * i
		}
	}
}

// fastLateNamed writes a 4 MiB blob named late at once and verifies it.
func fastLateNamed(t *testing.T, s *Store) (*Writer, []byte) {
	t.Helper()
	data := make([]byte, 4<<20)
	rand.Read(data)
	sum := sha1.Sum(data)
	w, err := s.NewWriter(WriterOptions{ExpectedSize: int64(len(data)), Expected: []Checksum{{Algo: "sha1", Hex: hex.EncodeToString(sum[:])}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Cancel)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Verify(); err != nil {
		t.Fatal(err)
	}
	return w, data
}

// On one CPU a commit hashes what is left of the name only once the CPU is
// idle: while something else keeps it busy, the commit waits.
func TestCommitNamesWhenTheCPUIsIdle(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s := openTest(t, Options{})
	stop, spun := make(chan struct{}), make(chan time.Time, 1)
	go spin(stop, spun)
	w, data := fastLateNamed(t, s)
	time.AfterFunc(300*time.Millisecond, func() { close(stop) })
	e, err := w.Commit("k", Entry{})
	committed := time.Now()
	if err != nil || e.Digest.Hex() != sha256Hex(data) {
		t.Fatalf("Commit = %s, %v; want sha256:%s", e.Digest, err, sha256Hex(data))
	}
	if busyUntil := <-spun; committed.Before(busyUntil) {
		t.Fatalf("the commit finished %s before the CPU was idle", busyUntil.Sub(committed))
	}
}

// A CPU that never idles holds a commit's name back for nameDeferMax at most.
func TestCommitNamesAfterNameDeferMaxOnABusyCPU(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer func(d time.Duration) { nameDeferMax = d }(nameDeferMax)
	nameDeferMax = 100 * time.Millisecond
	s := openTest(t, Options{})
	stop, spun := make(chan struct{}), make(chan time.Time, 1)
	go spin(stop, spun)
	defer func() { close(stop); <-spun }()
	w, data := fastLateNamed(t, s)
	done := make(chan error, 1)
	go func() {
		e, err := w.Commit("k", Entry{})
		if err == nil && e.Digest.Hex() != sha256Hex(data) {
			err = errors.New("wrong digest " + string(e.Digest))
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Commit = %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the commit still waits for an idle CPU")
	}
}
