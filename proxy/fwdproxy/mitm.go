package fwdproxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

const maxHeaderBytes = 64 << 10

// mitmServer serves the connections of intercepted CONNECTs, after a TLS
// handshake with a leaf for the host the client asked for.
type mitmServer struct {
	p       *Proxy
	srv     *http.Server
	ln      *chanListener
	targets sync.Map // *tls.Conn -> the CONNECT's host:port
}

type targetKey struct{}

func newMITMServer(p *Proxy) *mitmServer {
	m := &mitmServer{p: p, ln: newChanListener()}
	m.srv = &http.Server{
		Handler:           http.HandlerFunc(m.serve),
		ReadHeaderTimeout: p.o.HandshakeTimeout,
		IdleTimeout:       p.o.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          log.New(logWriter{p.o.Log}, "", 0),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if hp, ok := m.targets.Load(c); ok {
				return context.WithValue(ctx, targetKey{}, hp)
			}
			return ctx
		},
		ConnState: func(c net.Conn, st http.ConnState) {
			if st == http.StateClosed || st == http.StateHijacked {
				if _, ok := m.targets.LoadAndDelete(c); ok {
					p.give()
				}
			}
		},
	}
	go func() { _ = m.srv.Serve(m.ln) }()
	return m
}

// intercept takes over a CONNECT to hp (host:port): it answers 200, then serves
// the client's session itself, over TLS with a certificate for that host or, when
// the client speaks plain HTTP through the tunnel, as is.
func (m *mitmServer) intercept(w http.ResponseWriter, hp string) {
	if !m.p.take() {
		http.Error(w, errTooManyTunnels.Error(), http.StatusServiceUnavailable)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		m.p.give()
		http.Error(w, "forward proxy: this connection cannot carry a tunnel", http.StatusInternalServerError)
		return
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		m.p.give()
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		_ = conn.Close()
		m.p.give()
		return
	}
	// rw.Reader holds whatever the client sent with the CONNECT, then reads on.
	go m.start(&bufferedConn{Conn: conn, r: rw.Reader}, hp)
}

// start reads the tunnel's first byte, completes a TLS handshake when it opens
// one, all within a deadline, and hands the connection to the server; the slot
// taken is freed when the server closes it.
func (m *mitmServer) start(c *bufferedConn, hp string) {
	_ = c.SetDeadline(time.Now().Add(m.p.o.HandshakeTimeout))
	first, err := c.r.Peek(1)
	if err != nil {
		m.drop(c)
		return
	}
	var served net.Conn = c
	if first[0] == tlsHandshakeRecord {
		tc, err := m.handshake(c, hp)
		if err != nil {
			m.p.o.Log.Debug().Err(err).Str("host", hp).Msg("forward proxy: client TLS handshake failed (does it trust Hoard's CA?)")
			m.drop(c)
			return
		}
		served = tc
	}
	_ = c.SetDeadline(time.Time{})
	m.targets.Store(served, hp)
	if !m.ln.push(served) {
		m.targets.Delete(served)
		m.drop(served)
	}
}

// tlsHandshakeRecord is the first byte of a TLS session (a handshake record).
const tlsHandshakeRecord = 0x16

func (m *mitmServer) handshake(c net.Conn, hp string) (*tls.Conn, error) {
	host, _, _ := net.SplitHostPort(hp)
	cert, err := m.p.leaves.forHost(host)
	if err != nil {
		m.p.o.Log.Error().Err(err).Str("host", hp).Msg("forward proxy: signing a certificate failed")
		return nil, err
	}
	tc := tls.Server(c, &tls.Config{
		Certificates: []tls.Certificate{*cert},
		NextProtos:   []string{"http/1.1"},
		MinVersion:   tls.VersionTLS12,
	})
	return tc, tc.Handshake()
}

func (m *mitmServer) drop(c net.Conn) {
	_ = c.Close()
	m.p.give()
}

// serve answers one request of an intercepted connection.
func (m *mitmServer) serve(w http.ResponseWriter, r *http.Request) {
	hp, _ := r.Context().Value(targetKey{}).(string)
	if m.p.self[hp] {
		m.p.serveSelf(w, r)
		return
	}
	u := *r.URL
	u.Scheme, u.Host = "https", hp
	if r.TLS == nil {
		u.Scheme = "http" // plain HTTP sent through the tunnel
	}
	m.p.serveFronted(w, r, &u)
}

// bufferedConn reads what the CONNECT's reader already holds before the socket.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// chanListener hands connections made elsewhere to an http.Server.
type chanListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newChanListener() *chanListener {
	return &chanListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) push(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// logWriter sends the net/http server's own complaints (bad requests, TLS
// errors) to the debug log.
type logWriter struct{ log zerolog.Logger }

func (l logWriter) Write(p []byte) (int, error) {
	l.log.Debug().Msg("forward proxy: " + strings.TrimSpace(string(p)))
	return len(p), nil
}
