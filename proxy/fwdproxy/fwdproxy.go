// Package fwdproxy is Hoard's forward-proxy mode, for clients that cannot be
// pointed at a mirror but honour HTTPS_PROXY. Requests for a host that a mount
// fronts are intercepted (plain HTTP in absolute form, HTTPS by CONNECT with a
// certificate from Hoard's own CA) and handed to the server's mount handlers, so
// they get the cache, admission and publish forwarding of direct requests. Every
// other host is tunnelled untouched, or refused when an allow list is set.
//
// github.com/elazarl/goproxy does the tunnelling and the forwarding of plain HTTP
// to hosts no mount fronts, with a transport that verifies TLS and never uses a
// proxy itself. Intercepted connections are served by a net/http server of their
// own, which brings header and idle deadlines, header limits and 100-continue.
package fwdproxy

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/elazarl/goproxy"
	"github.com/rs/zerolog"

	"hoard/proxy/upstream"
)

// Options builds a Proxy.
type Options struct {
	// Handler serves intercepted requests and those for Hoard's own public host.
	Handler http.Handler
	// Intercept marks r for the mount that fronts u, or reports false.
	Intercept func(r *http.Request, u *url.URL) (*http.Request, bool)
	// Hosts are the host:port pairs some mount fronts; Self those of Hoard's
	// public URL, served as if asked directly.
	Hosts, Self []string
	CA          *CA
	// Allow lists the hosts (host or host:port) other requests may reach; empty
	// allows any.
	Allow []string
	// Auth is the user:password a client must send in Proxy-Authorization; empty
	// asks for none.
	Auth string
	// MaxTunnels bounds open tunnels and intercepted connections together.
	MaxTunnels int
	// IdleTimeout closes a tunnel or intercepted connection that carried nothing
	// for that long.
	IdleTimeout time.Duration
	// HandshakeTimeout bounds an intercepted connection's TLS handshake and each
	// request's headers; 15 s when zero.
	HandshakeTimeout time.Duration
	Log              zerolog.Logger
}

// Proxy is the forward proxy's http.Handler, for the listener clients name in
// HTTPS_PROXY.
type Proxy struct {
	o       Options
	hosts   map[string]bool
	self    map[string]bool
	leaves  *leaves
	gp      *goproxy.ProxyHttpServer
	mitm    *mitmServer
	slots   chan struct{}
	through http.Handler // hosts a mount fronts, at paths it does not
	once    sync.Once
}

// New builds the proxy; Shutdown ends its intercepted connections.
func New(o Options) *Proxy {
	if o.MaxTunnels <= 0 {
		o.MaxTunnels = 1024
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 2 * time.Minute
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 15 * time.Second
	}
	p := &Proxy{o: o, hosts: set(o.Hosts), self: set(o.Self), leaves: newLeaves(o.CA), slots: make(chan struct{}, o.MaxTunnels)}
	tr := verifiedTransport()
	p.gp = goproxy.NewProxyHttpServer()
	p.gp.Tr = tr
	p.gp.Logger = logAdapter{o.Log}
	p.gp.ConnectDial = p.dialTunnel
	p.through = passThrough(tr)
	p.mitm = newMITMServer(p)
	return p
}

// Shutdown stops serving intercepted connections: idle ones at once, busy ones
// when their request is answered or ctx ends.
func (p *Proxy) Shutdown(ctx context.Context) error {
	err := p.mitm.srv.Shutdown(ctx)
	if err != nil {
		_ = p.mitm.srv.Close()
	}
	return err
}

// ServeHTTP answers one proxy request: a CONNECT or an absolute-form request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.authorized(r) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="hoard"`)
		http.Error(w, "proxy authentication required", http.StatusProxyAuthRequired)
		return
	}
	r.Header.Del("Proxy-Authorization") // never beyond this hop
	if r.Method == http.MethodConnect {
		p.connect(w, r)
		return
	}
	if !r.URL.IsAbs() {
		http.Error(w, "this is Hoard's forward proxy: send requests in absolute form (set HTTP_PROXY), or use Hoard's own listener", http.StatusBadRequest)
		return
	}
	u := *r.URL
	hp := upstream.HostPort(u.Scheme, u.Host)
	switch {
	case p.self[hp]:
		p.serveSelf(w, r)
	case p.hosts[hp]:
		p.serveFronted(w, r, &u)
	case p.allowed(hp):
		p.gp.ServeHTTP(w, r)
	default:
		p.refuse(w, hp)
	}
}

// connect intercepts a CONNECT to a fronted host, tunnels an allowed one, and
// refuses the rest.
func (p *Proxy) connect(w http.ResponseWriter, r *http.Request) {
	hp := upstream.HostPort("https", r.URL.Host)
	switch {
	case p.hosts[hp] || p.self[hp]:
		p.mitm.intercept(w, hp)
	case p.allowed(hp):
		p.o.Log.Debug().Str("host", hp).Msg("forward proxy: tunnel")
		p.gp.ServeHTTP(w, r)
	default:
		p.refuse(w, hp)
	}
}

// serveFronted hands a request for a fronted host to the mount that fronts its
// path; a path no mount fronts goes to the host as is.
func (p *Proxy) serveFronted(w http.ResponseWriter, r *http.Request, u *url.URL) {
	if r2, ok := p.o.Intercept(r, u); ok {
		p.o.Handler.ServeHTTP(w, r2)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL = u
	p.through.ServeHTTP(w, r2)
}

// serveSelf serves a request for Hoard's own public URL, as if sent directly.
func (p *Proxy) serveSelf(w http.ResponseWriter, r *http.Request) {
	r2 := r.Clone(r.Context())
	r2.URL = &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	r2.RequestURI = r2.URL.RequestURI()
	p.o.Handler.ServeHTTP(w, r2)
}

func (p *Proxy) refuse(w http.ResponseWriter, hp string) {
	p.o.Log.Info().Str("host", hp).Msg("forward proxy: host not allowed")
	http.Error(w, "forward proxy: "+hp+" is not in forward_proxy.allow", http.StatusForbidden)
}

// allowed reports whether hp (host:port) may be tunnelled or forwarded.
func (p *Proxy) allowed(hp string) bool {
	if len(p.o.Allow) == 0 {
		return true
	}
	host, _, _ := net.SplitHostPort(hp)
	for _, a := range p.o.Allow {
		a = strings.ToLower(a)
		if a == hp || a == host {
			return true
		}
	}
	return false
}

// authorized checks Proxy-Authorization when the proxy asks for it.
func (p *Proxy) authorized(r *http.Request) bool {
	if p.o.Auth == "" {
		return true
	}
	scheme, cred, _ := strings.Cut(r.Header.Get("Proxy-Authorization"), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	return err == nil && subtle.ConstantTimeCompare(got, []byte(p.o.Auth)) == 1
}

func set(list []string) map[string]bool {
	out := make(map[string]bool, len(list))
	for _, s := range list {
		out[strings.ToLower(s)] = true
	}
	return out
}

// logAdapter sends goproxy's messages (only warnings, with Verbose off) to the log.
type logAdapter struct{ log zerolog.Logger }

func (l logAdapter) Printf(format string, v ...any) {
	l.log.Debug().Msgf("forward proxy: "+format, v...)
}
