package fwdproxy

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"sync"
	"sync/atomic"
	"time"
)

const dialTimeout = 10 * time.Second

var errTooManyTunnels = errors.New("forward proxy: too many open tunnels (forward_proxy.max_tunnels)")

// verifiedTransport reaches hosts the proxy does not intercept. Unlike goproxy's
// default it verifies TLS, and it never goes through a proxy itself: Hoard's own
// HTTPS_PROXY may name this very listener.
func verifiedTransport() *http.Transport {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: time.Minute,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   16,
	}
}

// passThrough sends a request for a fronted host, at a path no mount fronts, to
// that host as the client asked; the response streams back unchanged.
func passThrough(tr http.RoundTripper) http.Handler {
	return &httputil.ReverseProxy{
		Transport: tr,
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.Out.Host = pr.In.URL.Host },
	}
}

// dialTunnel opens a tunnel's connection to its host, within the bound on open
// tunnels; the slot is freed when the tunnel closes.
func (p *Proxy) dialTunnel(network, addr string) (net.Conn, error) {
	if !p.take() {
		return nil, errTooManyTunnels
	}
	c, err := net.DialTimeout(network, addr, dialTimeout)
	if err != nil {
		p.give()
		return nil, err
	}
	return newIdleConn(c, p.o.IdleTimeout, p.give), nil
}

func (p *Proxy) take() bool {
	select {
	case p.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (p *Proxy) give() { <-p.slots }

// idleConn closes a connection on which nothing moved, in either direction, for
// idle: a tunnel whose client went away without closing must not hold its
// goroutines and its slot for good. A slow upload keeps the reading side alive.
type idleConn struct {
	net.Conn
	idle    time.Duration
	last    atomic.Int64 // unix nanoseconds of the last byte moved
	release func()
	once    sync.Once
}

func newIdleConn(c net.Conn, idle time.Duration, release func()) *idleConn {
	ic := &idleConn{Conn: c, idle: idle, release: release}
	ic.touch()
	return ic
}

func (c *idleConn) touch() { c.last.Store(time.Now().UnixNano()) }

func (c *idleConn) quiet() bool {
	return time.Since(time.Unix(0, c.last.Load())) >= c.idle
}

func (c *idleConn) Read(b []byte) (int, error) {
	for {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.idle))
		n, err := c.Conn.Read(b)
		if n > 0 {
			c.touch()
		}
		var ne net.Error
		if n == 0 && errors.As(err, &ne) && ne.Timeout() && !c.quiet() {
			continue // the other direction moved meanwhile
		}
		return n, err
	}
}

func (c *idleConn) Write(b []byte) (int, error) {
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.idle))
	n, err := c.Conn.Write(b)
	if n > 0 {
		c.touch()
	}
	return n, err
}

func (c *idleConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		if c.release != nil {
			c.release()
		}
	})
	return err
}
