package bundle

// Export and import throughput against plain tar of the same data directory, the
// only way across a gap before bundles. Import verifies every blob and fsyncs it as
// a fill does; tar -x does neither, so it is an upper bound, not a peer.
//
//	go test -run XXX -bench . -benchtime 3x ./proxy/bundle

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
)

const (
	benchSmall      = 400      // npm-tarball-sized blobs
	benchSmallSize  = 64 << 10 // each
	benchLarge      = 6        // layer-sized blobs
	benchLargeSize  = 16 << 20 // each
	benchTotalBytes = benchSmall*benchSmallSize + benchLarge*benchLargeSize
)

// benchStore fills a store in dir with random blobs under npm and oci keys.
func benchStore(b *testing.B, dir string) *cache.Store {
	b.Helper()
	s, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	add := func(key string, size int) {
		buf := make([]byte, size)
		rand.Read(buf)
		w, err := s.NewWriter(cache.WriterOptions{ExpectedSize: -1})
		if err != nil {
			b.Fatal(err)
		}
		w.Write(buf)
		if _, err := w.Commit(key, cache.Entry{FetchedAt: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range benchSmall {
		add(fmt.Sprintf("npm/tarball/p%d/-/p%d-1.0.0.tgz", i, i), benchSmallSize)
	}
	for i := range benchLarge {
		add(fmt.Sprintf("maven/com/acme/big%d/1.0/big%d-1.0.jar", i, i), benchLargeSize)
	}
	return s
}

func exportFile(b *testing.B, s *cache.Store, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	pr, pw := io.Pipe()
	go func() {
		_, err := Export(context.Background(), s, ExportOptions{Mounts: mounts, Now: time.Now()}, pw)
		pw.CloseWithError(err)
	}()
	if _, err := Finish(pr, f, nil, nil); err != nil {
		b.Fatal(err)
	}
	f.Sync()
}

func BenchmarkExport(b *testing.B) {
	s := benchStore(b, b.TempDir())
	defer s.Close()
	out := filepath.Join(b.TempDir(), "bundle.tar")
	b.SetBytes(benchTotalBytes)
	for b.Loop() {
		exportFile(b, s, out)
	}
}

func BenchmarkImport(b *testing.B) {
	s := benchStore(b, b.TempDir())
	out := filepath.Join(b.TempDir(), "bundle.tar")
	exportFile(b, s, out)
	s.Close()
	b.SetBytes(benchTotalBytes)
	for b.Loop() {
		b.StopTimer()
		dst, err := cache.Open(cache.Options{Dir: b.TempDir(), Logger: zerolog.Nop()})
		if err != nil {
			b.Fatal(err)
		}
		f, _ := os.Open(out)
		b.StartTimer()
		if _, err := Import(context.Background(), dst, ImportOptions{Mounts: mounts}, f); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		f.Close()
		dst.Close()
		b.StartTimer()
	}
}

func BenchmarkTarDataDir(b *testing.B) {
	dir := b.TempDir()
	benchStore(b, dir).Close()
	out := filepath.Join(b.TempDir(), "data.tar")
	b.SetBytes(benchTotalBytes)
	for b.Loop() {
		if o, err := exec.Command("tar", "-cf", out, "-C", dir, ".").CombinedOutput(); err != nil {
			b.Fatalf("tar: %v %s", err, o)
		}
		if f, err := os.Open(out); err == nil {
			f.Sync()
			f.Close()
		}
	}
}

func BenchmarkUntarDataDir(b *testing.B) {
	dir := b.TempDir()
	benchStore(b, dir).Close()
	out := filepath.Join(b.TempDir(), "data.tar")
	if o, err := exec.Command("tar", "-cf", out, "-C", dir, ".").CombinedOutput(); err != nil {
		b.Fatalf("tar: %v %s", err, o)
	}
	b.SetBytes(benchTotalBytes)
	for b.Loop() {
		b.StopTimer()
		dst := b.TempDir()
		b.StartTimer()
		if o, err := exec.Command("tar", "-xf", out, "-C", dst).CombinedOutput(); err != nil {
			b.Fatalf("untar: %v %s", err, o)
		}
		exec.Command("sync").Run()
	}
}
