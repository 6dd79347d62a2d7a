package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHistQuantiles(t *testing.T) {
	var h Hist
	for i := 1; i <= 1000; i++ {
		h.Add(time.Duration(i) * time.Microsecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, 1000 * time.Microsecond}} {
		got := h.Quantile(c.q)
		if d := float64(got-c.want) / float64(c.want); d < -0.04 || d > 0.04 {
			t.Errorf("q%.2f = %v, want %v within 4%%", c.q, got, c.want)
		}
	}
	var other Hist
	other.Add(time.Second)
	h.Merge(&other)
	if h.Count() != 1001 || h.Max() != time.Second {
		t.Fatalf("after merge: count %d max %v", h.Count(), h.Max())
	}
	for i := 0; i < 1900; i++ { // bucket bounds are increasing and cover every index
		if lowerBound(i+1) <= lowerBound(i) || bucketOf(lowerBound(i)) != i {
			t.Fatalf("bucket %d: bounds %d..%d", i, lowerBound(i), lowerBound(i+1))
		}
	}
}

// server answers /len with a Content-Length body, /chunked with a chunked one,
// /close with a body ended by closing, and /404 with an error.
func server(t *testing.T) *httptest.Server {
	body := strings.Repeat("x", 100_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test") != "yes" {
			http.Error(w, "missing header", http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/len":
			w.Write([]byte(body))
		case "/chunked":
			for i := 0; i < 10; i++ {
				w.Write([]byte(body[:1000]))
				w.(http.Flusher).Flush()
			}
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestConnGet(t *testing.T) {
	srv := server(t)
	c, err := Dial(strings.TrimPrefix(srv.URL, "http://"), "X-Test: yes\r\n")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tc := range []struct {
		path   string
		status int
		bytes  int64
	}{{"/len", 200, 100_000}, {"/chunked", 200, 10_000}, {"/close", 200, 3}, {"/len", 200, 100_000}, {"/404", 404, -1}} {
		res, err := c.Get(tc.path)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if res.Status != tc.status || (tc.bytes >= 0 && res.Bytes != tc.bytes) || res.TTFB <= 0 || res.Total < res.TTFB {
			t.Fatalf("%s: %+v", tc.path, res)
		}
	}
}

func TestRunAndHerd(t *testing.T) {
	srv := server(t)
	addr := strings.TrimPrefix(srv.URL, "http://")
	st, err := Run(context.Background(), Options{Addr: addr, Paths: []string{"/len", "/chunked"}, Header: "X-Test: yes\r\n",
		Concurrency: 4, Duration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if st.Requests == 0 || st.Errors != 0 || st.Latency.Count() != uint64(st.Requests) || st.RPS() <= 0 || st.Bytes == 0 {
		t.Fatalf("run: %+v (first error %q)", st, st.FirstError)
	}
	st, _ = Run(context.Background(), Options{Addr: addr, Paths: []string{"/404"}, Concurrency: 1, Duration: 50 * time.Millisecond})
	if st.Requests != 0 || st.Errors == 0 || st.FirstError == "" {
		t.Fatalf("errors not counted: %+v", st)
	}
	rs, err := Herd(context.Background(), addr, "/len", "X-Test: yes\r\n", 20)
	if err != nil || len(rs) != 20 {
		t.Fatalf("herd: %v, %d results", err, len(rs))
	}
	for _, r := range rs {
		if r.Status != 200 || r.Bytes != 100_000 {
			t.Fatalf("herd result %+v", r)
		}
	}
}
