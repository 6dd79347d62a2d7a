package cache

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

func BenchmarkLookupHit(b *testing.B) {
	s := openTest(b, Options{})
	put(b, s, "npm/github/pkg/-/pkg-1.0.0.tgz", []byte("x"))
	if _, err := s.Lookup("npm/github/pkg/-/pkg-1.0.0.tgz"); err != nil {
		b.Fatal(err)
	}
	s.entries.Wait()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Lookup("npm/github/pkg/-/pkg-1.0.0.tgz"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLookupBadger bumps the key's generation before every Lookup, so
// the entry cache never answers and each call reads badger (then re-caches).
func BenchmarkLookupBadger(b *testing.B) {
	s := openTest(b, Options{})
	const n = 1000
	for i := 0; i < n; i++ {
		put(b, s, fmt.Sprintf("maven/central/com/acme/x/%d/x-%d.jar", i, i), []byte{byte(i), byte(i >> 8)})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := fmt.Sprintf("maven/central/com/acme/x/%d/x-%d.jar", i%n, i%n)
		s.gen(k).Add(1)
		if _, err := s.Lookup(k); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommitSmall is write, two fsyncs (file, directory), rename and a
// synced index transaction per 1 KiB blob.
func BenchmarkCommitSmall(b *testing.B) {
	s := openTest(b, Options{})
	data := make([]byte, 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		binary.BigEndian.PutUint64(data, uint64(i))
		w, err := s.NewWriter(WriterOptions{ExpectedSize: int64(len(data))})
		if err != nil {
			b.Fatal(err)
		}
		_, _ = w.Write(data)
		if _, err := w.Commit("k"+strconv.Itoa(i), Entry{FetchedAt: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenWithEntries times Open (saved counters loaded) over an index
// of 100k entries (1M with HOARD_BENCH_1M=1). After Open plus a mixed
// workload it reports, as rough memory figures for badger and the hot tiers
// together: heap-MiB, the live Go heap after a GC; anon-MiB and file-MiB, the
// growth of anonymous and file-backed (mmapped tables, reclaimable) RSS. The
// anon figure is inflated by the seeding done earlier in the same process.
func BenchmarkOpenWithEntries(b *testing.B) {
	sizes := []int{100_000}
	if os.Getenv("HOARD_BENCH_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			dir := b.TempDir()
			seedIndex(b, dir, n)
			debug.FreeOSMemory()
			anon0, file0 := rss()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s, err := Open(Options{Dir: dir})
				if err != nil {
					b.Fatal(err)
				}
				if got := s.Stats().Entries; got < int64(n) { // the workload adds some
					b.Fatalf("Entries = %d", got)
				}
				b.StopTimer()
				if i == 0 {
					workload(b, s, n)
					reportMemory(b, anon0, file0)
				}
				_ = s.Close()
				b.StartTimer()
			}
		})
	}
}

// workload: lookups spread over the index, touches, and 2,000 small commits.
func workload(b *testing.B, s *Store, n int) {
	for i := 0; i < 50_000; i++ {
		k := seedKey((i * 7919) % n)
		if _, err := s.Lookup(k); err != nil {
			b.Fatal(err)
		}
		s.Touch(k)
	}
	for i := 0; i < 2000; i++ {
		put(b, s, "new/"+strconv.Itoa(i), []byte(strings.Repeat("y", 4096)+strconv.Itoa(i)))
	}
	s.flushTouches()
}

func seedKey(i int) string {
	return fmt.Sprintf("npm/github/pkg%d/-/pkg%d-1.0.%d.tgz", i%5000, i%5000, i)
}

// seedIndex writes n entries straight into badger (each with its own fake
// digest); the blob files are not needed to time Open.
func seedIndex(b *testing.B, dir string, n int) {
	s, err := Open(Options{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	wb := s.db.NewWriteBatch()
	now := time.Now()
	for i := 0; i < n; i++ {
		k := seedKey(i)
		hx := sha256Hex([]byte(k))
		e, _ := encodeEntry(Entry{Digest: Digest(digestPrefix + hx), Size: 1000, FetchedAt: now})
		for _, kv := range [][2][]byte{
			{entryKey(k), e}, {accessKey(k), putInt(now.UnixNano())}, {refKey(hx, k), nil}, {blobKey(hx), putInt(1000)},
		} {
			if err := wb.Set(kv[0], kv[1]); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := wb.Flush(); err != nil {
		b.Fatal(err)
	}
	// The batch bypassed the counters that Close saves for the next Open.
	bytes, entries, err := s.countIndex()
	if err != nil {
		b.Fatal(err)
	}
	s.bytes.Store(bytes)
	s.nEntries.Store(entries)
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
}

func reportMemory(b *testing.B, anon0, file0 int64) {
	runtime.GC()
	runtime.GC() // twice: sync.Pool victims survive the first
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	anon, file := rss()
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(anon-anon0)/(1<<20), "anon-MiB")
	b.ReportMetric(float64(file-file0)/(1<<20), "file-MiB")
}

// rss returns the process's anonymous and file-backed resident bytes.
func rss() (anon, file int64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, _ := strings.Cut(sc.Text(), ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		switch name {
		case "RssAnon":
			anon = kb << 10
		case "RssFile":
			file = kb << 10
		}
	}
	return anon, file
}
