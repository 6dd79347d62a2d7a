package proxy

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
)

// coalescedServer serves /N as N bytes written through writeCoalesced, over a
// listener from Listen.
func coalescedServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ConnContext: ConnContext, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Path[1:])
		w.Header().Set("Content-Length", strconv.Itoa(n))
		writeCoalesced(w, r, patterned(n))
	})}
	go srv.Serve(Listen(ln))
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func patterned(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// Every size around net/http's buffers arrives whole, and nothing held for one
// response leaks into the next on the same connection.
func TestCoalescedBodiesArriveWhole(t *testing.T) {
	base := coalescedServer(t)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	sizes := []int{0, 1, 2047, 2048, 2049, 3800, 4095, 4096, 4097, 8192, 200 << 10, 3 << 20}
	for round := 0; round < 2; round++ {
		for _, n := range sizes {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				req, _ := http.NewRequest(method, fmt.Sprintf("%s/%d", base, n), nil)
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s %d: %v", method, n, err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatalf("%s %d: reading: %v", method, n, err)
				}
				want := patterned(n)
				if method == http.MethodHead {
					want = nil
				}
				if resp.ContentLength != int64(n) || !bytes.Equal(body, want) {
					t.Fatalf("%s %d: length %d, %d bytes, equal %v", method, n, resp.ContentLength, len(body), bytes.Equal(body, want))
				}
			}
		}
	}
}

// A connection that is not TCP passes through Listen untouched, and a request
// without a coalescing connection is still answered.
func TestCoalesceWithoutTCPConn(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if _, ok := ConnContext(t.Context(), a).Value(coalescingKey{}).(*coalescingConn); ok {
		t.Fatal("a pipe was given a coalescing connection")
	}
}
