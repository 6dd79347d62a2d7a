package proxy

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// herdResult is what one client of the herd received.
type herdResult struct {
	status int
	sum    [32]byte
	n      int64
	err    error
}

// Many clients asking for one cold artifact cause one upstream request, and all of
// them receive bytes while the upstream is still sending: the fill streams to every
// waiter instead of making them wait for the whole artifact.
func TestHerdSharesOneStreamingFill(t *testing.T) {
	const clients = 200
	size := 50 << 20
	if testing.Short() {
		size = 4 << 20
	}
	body := randomBytes(t, size)
	want := sha256.Sum256(body)
	o := newOrigin(t)
	o.publish(jarPath, body)
	release := make(chan struct{})
	var releaseOnce sync.Once
	releaseAll := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(releaseAll)
	o.fault(jarPath, holdAfter(body, 1<<20, release))
	e := newEnv(t, o)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tr := &http.Transport{MaxIdleConnsPerHost: clients, ReadBufferSize: 64 << 10}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	var withBytes atomic.Int64 // clients that received at least one body byte
	var started sync.WaitGroup // done once per client: first byte, or its end
	started.Add(clients)
	results := make(chan herdResult, clients)
	for range clients {
		go func() {
			var once sync.Once
			firstByte := func() { once.Do(started.Done) }
			defer firstByte()
			results <- fetchHashing(ctx, client, e.url(jarPath), func() {
				withBytes.Add(1)
				firstByte()
			})
		}()
	}

	allStarted := make(chan struct{})
	go func() { started.Wait(); close(allStarted) }()
	select {
	case <-allStarted:
	case <-ctx.Done():
		t.Fatal("clients received no bytes while the upstream held back the rest")
	}
	if got := withBytes.Load(); got != clients {
		t.Errorf("%d of %d clients had bytes before the upstream finished sending", got, clients)
	}
	releaseAll()

	for range clients {
		r := <-results
		if r.err != nil || r.status != http.StatusOK {
			t.Fatalf("client: status %d, error %v", r.status, r.err)
		}
		if r.n != int64(size) || r.sum != want {
			t.Fatalf("client got %d bytes with a different sha256", r.n)
		}
	}
	if got := o.count(jarPath); got != 1 {
		t.Errorf("upstream requests for the artifact = %d, want 1", got)
	}
	if got := o.count(jarPath + ".sha1"); got != 1 {
		t.Errorf("upstream requests for its .sha1 = %d, want 1", got)
	}
}

// fetchHashing GETs url and hashes the body, calling onByte after the first read
// that returned data.
func fetchHashing(ctx context.Context, c *http.Client, url string, onByte func()) herdResult {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return herdResult{err: err}
	}
	resp, err := c.Do(req)
	if err != nil {
		return herdResult{err: err}
	}
	defer resp.Body.Close()
	h := sha256.New()
	buf := make([]byte, 64<<10)
	var n int64
	for {
		k, err := resp.Body.Read(buf)
		if k > 0 {
			if n == 0 {
				onByte()
			}
			h.Write(buf[:k])
			n += int64(k)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return herdResult{status: resp.StatusCode, n: n, err: err}
		}
	}
	r := herdResult{status: resp.StatusCode, n: n}
	copy(r.sum[:], h.Sum(nil))
	return r
}

// A client that leaves mid-stream ends only its own response: the fill goes on and
// the artifact is cached.
func TestClientLeavingMidStreamDoesNotStopTheFill(t *testing.T) {
	body := randomBytes(t, 4<<20)
	o := newOrigin(t)
	o.publish(jarPath, body)
	release := make(chan struct{})
	o.fault(jarPath, holdAfter(body, 1<<20, release))
	e := newEnv(t, o)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.url(jarPath), nil)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 1024)); err != nil {
		t.Fatalf("reading the first bytes: %v", err)
	}
	cancel()
	resp.Body.Close()

	// The client's handler has ended (and been counted) before the upstream may go on.
	miss := e.srv.metrics.requests.WithLabelValues("maven", "maven", resultMiss)
	waitFor(t, "the abandoned request to end", func() bool { return counterValue(t, miss) == 1 })
	close(release)

	e.waitFills()
	entry, err := e.store.Lookup(e.key(jarPath))
	if err != nil {
		t.Fatalf("artifact not cached after its only client left: %v", err)
	}
	if entry.Size != int64(len(body)) {
		t.Fatalf("cached size %d, want %d", entry.Size, len(body))
	}
	o.fault(jarPath, nil)
	r := mustGet(t, e.url(jarPath), body)
	if got := r.header.Get("X-Hoard-Cache"); got != resultHit {
		t.Errorf("X-Hoard-Cache = %q, want hit", got)
	}
	if got := o.count(jarPath); got != 1 {
		t.Errorf("upstream requests = %d, want 1", got)
	}
}
