package fakegithub

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
)

// host is one listener that can be closed and opened again on the same address, so a
// daemon pointed at it sees it go away and come back.
type host struct {
	h http.Handler

	mu   sync.Mutex
	addr string
	srv  *httptest.Server
}

func (h *host) start() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.srv != nil {
		return nil
	}
	l, err := net.Listen("tcp", h.addr)
	if err != nil {
		return err
	}
	h.addr = l.Addr().String()
	h.srv = httptest.NewUnstartedServer(h.h)
	h.srv.Listener = l
	h.srv.Start()
	return nil
}

func (h *host) close() {
	h.mu.Lock()
	srv := h.srv
	h.srv = nil
	h.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
}

func (h *host) url() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return "http://" + h.addr
}
