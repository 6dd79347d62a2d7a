package proxy

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	rtmetrics "runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoard/bench/npmreg"
	"hoard/formats"
	"hoard/formats/npm"
)

// The largest public packuments are about 21 MB (next); 3,000 generated versions
// with a 2 MiB readme make one of that size.
var bigSpec = npmreg.BigSpec{Name: "big", Versions: 3000, ReadmeBytes: 2 << 20}

var (
	bigOnce sync.Once
	bigReg  *npmreg.BigRegistry
)

func bigRegistry(b *testing.B) *npmreg.BigRegistry {
	bigOnce.Do(func() {
		var err error
		if bigReg, err = npmreg.NewBigRegistry(bigSpec, npmreg.BigSpec{Name: "small", Versions: 3}); err != nil {
			panic(err)
		}
	})
	return bigReg
}

// BenchmarkNpmRewriteBig: rewriting a 21 MB packument allocates about its output.
func BenchmarkNpmRewriteBig(b *testing.B) {
	doc := bigRegistry(b).Packument("big", false)
	rt := npmRoute(b, "/big")
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := npm.New().Rewrite(rt, doc, "http://hoard.test/npm"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNpmSumsBig: the checksum table of a 21 MB packument, built once per fill.
func BenchmarkNpmSumsBig(b *testing.B) {
	doc, err := npm.New().Rewrite(npmRoute(b, "/big"), bigRegistry(b).Packument("big", false), "http://hoard.test/npm")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := npm.New().Sums(npmRoute(b, "/big"), doc, "http://hoard.test/npm"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNpmColdHerd50: 50 clients ask at once for a 21 MB packument no cache
// holds. Reports the peak of live heap above what was live before (the origin's
// own documents included in neither), and the upstream requests the herd cost.
func BenchmarkNpmColdHerd50(b *testing.B) {
	reg := bigRegistry(b)
	var peak, upstream int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		n := newNpmEnvWith(b, reg)
		base := n.serve(npm.New())
		runtime.GC()
		before := liveHeap()
		sampler := sampleHeap()
		reqs := reg.RequestsFor("/big")
		b.StartTimer()
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				getDiscarding(b, base+"/big", len(reg.Packument("big", false)))
			}()
		}
		wg.Wait()
		b.StopTimer()
		peak = max(peak, sampler()-before)
		upstream += int64(reg.RequestsFor("/big") - reqs)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(len(reg.Packument("big", false)))/(1<<20), "doc-MB")
	b.ReportMetric(float64(upstream)/float64(b.N), "upstream-GETs/op")
}

// BenchmarkNpmTarballMiss: a tarball miss whose packument is cached costs the same
// whether the packument is 20 KB or 21 MB.
func BenchmarkNpmTarballMiss(b *testing.B) {
	reg := bigRegistry(b)
	for _, pkg := range []string{"small", "big"} {
		b.Run(fmt.Sprintf("packument=%dKB", len(reg.Packument(pkg, false))>>10), func(b *testing.B) {
			n := newNpmEnvWith(b, reg)
			base := n.serve(npm.New())
			getDiscarding(b, base+"/"+pkg, len(reg.Packument(pkg, false)))
			versions := 3
			if pkg == "big" {
				versions = bigSpec.Versions
			}
			i := 0
			for b.Loop() {
				if i == versions {
					b.StopTimer() // every tarball is cached now: start on an empty cache again
					n = newNpmEnvWith(b, reg)
					base = n.serve(npm.New())
					getDiscarding(b, base+"/"+pkg, len(reg.Packument(pkg, false)))
					i = 0
					b.StartTimer()
				}
				v := npmreg.Version(i)
				if r := get(b, base+"/"+pkg+"/-/"+pkg+"-"+v+".tgz"); !r.clean() || r.header.Get("X-Hoard-Cache") != "miss" {
					b.Fatalf("%s: %d %s", v, r.status, r.header.Get("X-Hoard-Cache"))
				}
				i++
			}
		})
	}
}

// getDiscarding GETs url as a client that keeps nothing (so the benchmark's heap is
// the server's) and checks that a 200 about size bytes long (URLs rewritten) arrived whole.
func getDiscarding(b *testing.B, url string, size int) {
	resp, err := http.Get(url)
	if err != nil {
		b.Error(err)
		return
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || n < int64(size)/2 { // rewritten URLs may be shorter
		b.Errorf("GET %s: %d, %d bytes, %v", url, resp.StatusCode, n, err)
	}
}

// npmRoute is the npm format's route for a GET of path.
func npmRoute(b testing.TB, path string) formats.Route {
	rt, err := npm.New().Route(httptest.NewRequest(http.MethodGet, "/npm"+path, nil), path)
	if err != nil {
		b.Fatal(err)
	}
	return rt
}

// liveHeap is the bytes of live and not yet swept heap objects now.
func liveHeap() int64 {
	s := []rtmetrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	rtmetrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// sampleHeap samples liveHeap every millisecond until the returned function is
// called, which returns the largest sample.
func sampleHeap() func() int64 {
	var peak atomic.Int64
	peak.Store(liveHeap())
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if h := liveHeap(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		return peak.Load()
	}
}
