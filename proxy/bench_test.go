package proxy

// Benchmarks through the whole Server handler over loopback HTTP, with keep-alive
// clients. Run: go test -run x -bench . -benchmem ./proxy/

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"syscall"
	"testing"
	"time"

	"hoard/configs"
)

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, ReadBufferSize: 64 << 10}}
}

// fetchDiscard GETs url and discards the body, failing unless it is a whole 200.
func fetchDiscard(c *http.Client, url string, want int64) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || n != want {
		return fmt.Errorf("status %d, %d bytes, want 200 and %d", resp.StatusCode, n, want)
	}
	return nil
}

// warmEnv serves one cached artifact of size bytes.
func warmEnv(b *testing.B, size int) (*testEnv, *http.Client) {
	o := newOrigin(b)
	o.publish(jarPath, randomBytes(b, size))
	e := newEnv(b, o)
	c := benchClient()
	b.Cleanup(c.CloseIdleConnections)
	if err := fetchDiscard(c, e.url(jarPath), int64(size)); err != nil {
		b.Fatal(err)
	}
	e.waitFills()
	return e, c
}

// A warm 1 KB artifact from many goroutines: the per-request cost of the hit path.
func BenchmarkHitSmall(b *testing.B) {
	const size = 1 << 10
	e, c := warmEnv(b, size)
	url := e.url(jarPath)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := fetchDiscard(c, url, size); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// A warm 8 MB artifact on one connection: throughput of the hit path (sendfile).
func BenchmarkHitLarge(b *testing.B) {
	const size = 8 << 20
	e, c := warmEnv(b, size)
	url := e.url(jarPath)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := fetchDiscard(c, url, size); err != nil {
			b.Fatal(err)
		}
	}
}

// Each iteration a cold 1 KB artifact from a local upstream: artifact and .sha1
// fetched, verified, fsynced and indexed.
func BenchmarkFillSmall(b *testing.B) {
	const size = 1 << 10
	o := newOrigin(b)
	body := randomBytes(b, size)
	paths := make([]string, b.N)
	for i := range paths {
		paths[i] = fmt.Sprintf("/com/example/lib/1.%d/lib-1.%d.jar", i, i)
		o.publish(paths[i], body)
	}
	e := newEnv(b, o)
	c := benchClient()
	b.Cleanup(c.CloseIdleConnections)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := fetchDiscard(c, e.url(paths[i]), size); err != nil {
			b.Fatal(err)
		}
	}
}

// discardResponse is the least a ResponseWriter can be: a fresh header map per
// request, as net/http gives, and a body that goes nowhere.
type discardResponse struct {
	h      http.Header
	status int
	n      int
}

func (d *discardResponse) Header() http.Header { return d.h }
func (d *discardResponse) WriteHeader(s int)   { d.status = s }
func (d *discardResponse) Write(p []byte) (int, error) {
	d.n += len(p)
	return len(p), nil
}

// A warm 1 KB hit through the handler alone, without sockets: what Hoard's own code
// costs per hit, allocations included.
func BenchmarkHitHandler(b *testing.B) {
	const size = 1 << 10
	e, _ := warmEnv(b, size)
	req, err := http.NewRequest(http.MethodGet, e.url(jarPath), nil)
	if err != nil {
		b.Fatal(err)
	}
	req.RequestURI = req.URL.RequestURI()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := &discardResponse{h: http.Header{}}
		e.srv.ServeHTTP(w, req)
		if w.status != http.StatusOK || w.n != size {
			b.Fatalf("status %d, %d bytes", w.status, w.n)
		}
	}
}

// A warm OCI manifest by tag through the handler alone, as docker pulls it (the
// tag's TTL not yet run out): the /v2/ routing and header fixing on top of a hit.
func BenchmarkOCITagHitHandler(b *testing.B) {
	f := newFakeRegistry(b)
	srv := ociServer(b, f.srv.URL, func(c *configs.Config) {
		c.Mounts[0].TTL = map[string]configs.Duration{"tag": configs.Duration(time.Hour)}
	})
	req, err := http.NewRequest(http.MethodGet, "http://hoard/v2/m/lib/img/manifests/v1", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.RequestURI = req.URL.RequestURI()
	req.Header.Set("Accept", ociAccept)
	serve := func(want string) {
		w := &discardResponse{h: http.Header{}}
		srv.ServeHTTP(w, req)
		if w.status != http.StatusOK || w.n != len(f.manifest) || w.h.Get("X-Hoard-Cache") != want {
			b.Fatalf("status %d, %d bytes, %s", w.status, w.n, w.h.Get("X-Hoard-Cache"))
		}
	}
	serve("miss")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.WaitFills(ctx)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serve("hit")
	}
}

// Each iteration a cold 50 MB artifact from a local upstream at full speed, with
// its .sha1: what a client waits for beyond the upstream's own transfer (write,
// hashes, verification). The next iteration's request comes while the previous
// commit runs, as in production (no wait for fills between answers). Reported
// besides: the median first byte and last byte, and the process's CPU per fill
// (the in-process origin and client included), so a run pinned to one CPU
// (taskset -c N ... -test.cpu 1) shows what the fill's own work costs there.
func BenchmarkFillLarge(b *testing.B) {
	const size = 50 << 20
	o := newOrigin(b)
	body := randomBytes(b, size)
	paths := make([]string, b.N)
	for i := range paths {
		paths[i] = fmt.Sprintf("/com/example/big/1.%d/big-1.%d.jar", i, i)
		o.publish(paths[i], body)
	}
	e := newEnv(b, o)
	hs := httptest.NewServer(e.srv)
	b.Cleanup(hs.Close)
	c := benchClient()
	b.Cleanup(c.CloseIdleConnections)
	b.SetBytes(size)
	var first, last []time.Duration
	cpu0 := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ttfb, total, err := fetchTimed(c, hs.URL+"/maven"+paths[i], size)
		if err != nil {
			b.Fatal(err)
		}
		first, last = append(first, ttfb), append(last, total)
	}
	b.StopTimer()
	e.waitFills() // the last commit's work is the last fill's too
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(median(first).Microseconds())/1000, "first-byte-ms")
	b.ReportMetric(float64(median(last).Microseconds())/1000, "last-byte-ms")
}

// fetchTimed is fetchDiscard that reports when the first and the last byte came.
func fetchTimed(c *http.Client, url string, want int64) (first, last time.Duration, err error) {
	start := time.Now()
	resp, err := c.Get(url)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, rerr := resp.Body.Read(buf)
		if n == 0 && k > 0 {
			first = time.Since(start)
		}
		n += int64(k)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, 0, rerr
		}
	}
	last = time.Since(start)
	if resp.StatusCode != http.StatusOK || n != want {
		return 0, 0, fmt.Errorf("status %d, %d bytes, want 200 and %d", resp.StatusCode, n, want)
	}
	return first, last, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// processCPU is the user and system time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
