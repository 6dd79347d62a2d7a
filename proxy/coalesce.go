package proxy

import (
	"context"
	"io"
	"net"
	"net/http"
)

// net/http sends a response larger than its 4 KiB connection buffer in two
// writes: the buffer (headers and the start of the body), then the rest. On a
// busy server each write(2) costs several microseconds, and for a 200 KiB hit
// from memory the first one is a fifth of the request's CPU. A coalescingConn
// lets the handler of such a hit hold that first write back and send it with
// the rest in one writev.
//
// Only the connection's serving goroutine writes to it in HTTP/1.1, and it is
// also the one that holds and releases, so the connection needs no lock.

// Listen wraps ln so that the handler can coalesce its response's writes; serve
// with ConnContext set on the http.Server. The connections of one listener take
// turns with each other (see turns), never with another listener's.
func Listen(ln net.Listener) net.Listener { return coalescingListener{ln, &turns{}} }

// ConnContext is the http.Server hook that makes a connection from Listen
// reachable from its requests.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*coalescingConn); ok {
		return context.WithValue(ctx, coalescingKey{}, cc)
	}
	return ctx
}

type coalescingKey struct{}

type coalescingListener struct {
	net.Listener
	turns *turns // orders the large hits of writeCoalesced on this listener's connections
}

func (l coalescingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		return &coalescingConn{TCPConn: tc, turns: l.turns}, nil
	}
	return c, err
}

// coalescingConn is a TCP connection whose next write can be held back and sent
// together with the one after it.
type coalescingConn struct {
	*net.TCPConn
	turns    *turns // shared with the listener's other connections
	lastTurn uint64 // turns' count at this connection's last large hit
	holding  bool
	pending  bool        // held has a write to send
	held     []byte      // kept across responses: net/http's buffer is reused too
	pair     [2][]byte   // the held write and the next one
	vec      net.Buffers // over pair; a field so that writing it allocates nothing
}

// Write sends p, after anything held; while holding, the first write is kept.
func (c *coalescingConn) Write(p []byte) (int, error) {
	if c.holding && !c.pending {
		c.held = append(c.held[:0], p...)
		c.pending = true
		return len(p), nil
	}
	c.holding = false
	if !c.pending {
		return c.TCPConn.Write(p)
	}
	c.pending = false
	c.pair = [2][]byte{c.held, p}
	c.vec = c.pair[:]
	n, err := c.vec.WriteTo(c.TCPConn)
	c.pair[1] = nil // do not keep the caller's bytes
	return max(0, int(n)-len(c.held)), err
}

// ReadFrom keeps sendfile for file bodies; anything held goes first.
func (c *coalescingConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.release(); err != nil {
		return 0, err
	}
	return c.TCPConn.ReadFrom(r)
}

// hold starts keeping back the connection's next write.
func (c *coalescingConn) hold() { c.holding = true }

// release stops holding and sends whatever is still held.
func (c *coalescingConn) release() error {
	c.holding = false
	if !c.pending {
		return nil
	}
	c.pending = false
	_, err := c.TCPConn.Write(c.held)
	return err
}

// writeCoalesced writes b as the whole body of w's response in one syscall
// with its headers when the connection allows it, in its turn among the
// connections (see turns); the headers must be set.
func writeCoalesced(w http.ResponseWriter, r *http.Request, b []byte) {
	cc, _ := r.Context().Value(coalescingKey{}).(*coalescingConn)
	if cc == nil || len(b) < coalesceMin {
		w.Write(b)
		return
	}
	cc.turns.take(cc.lastTurn)
	defer func() { cc.lastTurn = cc.turns.done() }()
	cc.hold()
	defer cc.release()
	w.Write(b)
}

// coalesceMin is the smallest body worth holding for: a smaller one leaves
// with its headers in one write anyway, when the handler returns.
const coalesceMin = 2 << 10
