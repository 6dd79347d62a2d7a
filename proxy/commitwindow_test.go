package proxy

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/bench/npmreg"
	"hoard/cache"
	"hoard/formats"
	"hoard/formats/npm"
)

// holdCommits makes e's fills wait before their commits until the returned
// release is called (at the latest at test end); keys reports each fill that
// reached that point.
func holdCommits(t *testing.T, e *testEnv) (keys <-chan string, release func()) {
	hold := make(chan struct{})
	reached := make(chan string, 16)
	e.srv.engine.beforeCommit = func(key string) {
		reached <- key
		<-hold
	}
	release = sync.OnceFunc(func() { close(hold) })
	t.Cleanup(release)
	return reached, release
}

// awaitKey waits for a fill of key to reach its commit.
func awaitKey(t *testing.T, keys <-chan string, key string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case k := <-keys:
			if k == key {
				return
			}
		case <-timeout:
			t.Fatalf("no fill of %s reached its commit", key)
		}
	}
}

// getWithin GETs url, failing the test when the answer takes longer than a
// commit held open would let it.
func getWithin(t *testing.T, url string) result {
	t.Helper()
	got := make(chan result, 1)
	go func() {
		r, err := tryDo(http.MethodGet, url, nil, nil)
		if err != nil {
			r.readErr = err
		}
		got <- r
	}()
	select {
	case r := <-got:
		return r
	case <-time.After(20 * time.Second):
		t.Fatalf("GET %s waited for the commit", url)
		return result{}
	}
}

// Between a client's last byte and the commit (fsync, rename, index write) the
// content is not indexed, and a request in that window is answered from the
// fill, whole, without a second upstream request: a streamed artifact from its
// verified temp file, a small document from memory.
func TestRequestBetweenLastByteAndCommit(t *testing.T) {
	for _, c := range []struct {
		name string
		path string
		body []byte
	}{
		{"streamed artifact", jarPath, nil},
		{"document read whole", metaPath, []byte("<metadata><groupId>com.example</groupId><versioning/></metadata>\n")},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := c.body
			if body == nil {
				body = randomBytes(t, 1<<20)
			}
			o := newOrigin(t)
			o.publish(c.path, body)
			e := newEnv(t, o)
			keys, release := holdCommits(t, e)
			hs := httptest.NewServer(e.srv) // no wait for fills after each answer
			defer hs.Close()
			url := hs.URL + "/maven" + c.path

			if r := getWithin(t, url); !r.clean() || !bytes.Equal(r.body, body) {
				t.Fatalf("first GET: %d, %d bytes, %v", r.status, len(r.body), r.readErr)
			}
			awaitKey(t, keys, e.key(c.path))
			if _, err := e.store.Lookup(e.key(c.path)); !errors.Is(err, cache.ErrNotFound) {
				t.Fatalf("indexed before its commit: %v", err)
			}
			if r := getWithin(t, url); !r.clean() || !bytes.Equal(r.body, body) {
				t.Fatalf("GET in the window: %d, %d bytes, %v", r.status, len(r.body), r.readErr)
			}
			if got := o.count(c.path); got != 1 {
				t.Errorf("upstream requests = %d, want 1", got)
			}
			release()
			e.waitFills()
			if _, err := e.store.Lookup(e.key(c.path)); err != nil {
				t.Errorf("not indexed after the commit: %v", err)
			}
		})
	}
}

// A body that fails verification ends every client's transfer broken, however
// many share its fill: none gets a clean 200, nothing is cached.
func TestChecksumMismatchAbortsEveryClient(t *testing.T) {
	const clients = 5
	body := randomBytes(t, 2<<20)
	corrupt := bytes.Clone(body)
	corrupt[len(corrupt)-10] ^= 0xff
	o := newOrigin(t)
	o.publish(jarPath, body) // its .sha1 is of the good bytes
	release := make(chan struct{})
	releaseAll := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseAll)
	o.fault(jarPath, holdAfter(corrupt, 1<<20, release))
	e := newEnv(t, o)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var started sync.WaitGroup
	started.Add(clients)
	results := make(chan herdResult, clients)
	for range clients {
		go func() {
			var once sync.Once
			results <- fetchHashing(ctx, http.DefaultClient, e.url(jarPath), func() { once.Do(started.Done) })
		}()
	}
	started.Wait() // every client is streaming from the one fill
	releaseAll()
	for range clients {
		if r := <-results; r.err == nil {
			t.Errorf("a client got a complete %d of %d bytes that failed verification", r.n, len(body))
		} else if r.n >= int64(len(body)) {
			t.Errorf("a client got all %d bytes before the transfer broke", r.n)
		}
	}
	if got := o.count(jarPath); got != 1 {
		t.Errorf("upstream requests = %d, want 1 fill for all clients", got)
	}
	e.assertNotCached(jarPath)
}

// A tarball asked for while its packument is answered but not yet committed is
// verified against the table the packument's rewrite made, kept in memory for
// that moment: the table is not built a second time, nor the packument fetched
// again.
func TestTarballDuringItsPackumentsCommit(t *testing.T) {
	n := newNpmEnv(t, npmreg.BigSpec{Name: "big", Versions: 40})
	var sums atomic.Int64
	srv, _, _ := startServerFormats(t, n.store, n.cfg, zerolog.Nop(), map[string]formats.Format{"npm": countingNpm{npm.New(), &sums}})
	hold := make(chan struct{})
	reached := make(chan string, 16)
	srv.engine.beforeCommit = func(key string) {
		reached <- key
		<-hold
	}
	t.Cleanup(sync.OnceFunc(func() { close(hold) }))
	hs := httptest.NewServer(srv)
	defer hs.Close()

	if r := getWithin(t, hs.URL+"/npm/big"); !r.clean() {
		t.Fatalf("packument: %d %v", r.status, r.readErr)
	}
	awaitKey(t, reached, "npm/pkg/big")
	v := npmreg.Version(7)
	want := n.reg.Tarball("big", v)
	if r := getWithin(t, hs.URL+"/npm/big/-/big-"+v+".tgz"); !r.clean() || !bytes.Equal(r.body, want) {
		t.Fatalf("tarball in the window: %d, %d bytes, %v", r.status, len(r.body), r.readErr)
	}
	if got := sums.Load(); got != 1 {
		t.Errorf("checksum tables built %d times, want 1", got)
	}
	if got := n.reg.RequestsFor("/big"); got != 1 {
		t.Errorf("upstream requests for the packument = %d, want 1", got)
	}
}
