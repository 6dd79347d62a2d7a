package npmreg

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
)

// Counter is a reverse proxy on a loopback port that counts and records every
// request it passes to its target: the upstream's view of what Hoard asked for.
type Counter struct {
	URL string // http://127.0.0.1:PORT
	srv *http.Server

	mu   sync.Mutex
	seen []string // "METHOD PATH [Accept]"
}

// StartCounter proxies a new loopback port to target.
func StartCounter(target string) (*Counter, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &Counter{URL: "http://" + l.Addr().String()}
	rp := httputil.NewSingleHostReverseProxy(u)
	c.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.seen = append(c.seen, r.Method+" "+r.URL.RequestURI()+" ["+r.Header.Get("Accept")+"]")
		c.mu.Unlock()
		rp.ServeHTTP(w, r)
	})}
	go c.srv.Serve(l)
	return c, nil
}

// Requests returns what was asked since the last Reset.
func (c *Counter) Requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.seen...)
}

// Reset forgets the requests seen so far.
func (c *Counter) Reset() {
	c.mu.Lock()
	c.seen = nil
	c.mu.Unlock()
}

// Close stops the proxy: connections to it are refused from now on.
func (c *Counter) Close() error { return c.srv.Close() }
