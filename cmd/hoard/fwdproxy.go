package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"hoard/configs"
	"hoard/proxy"
	"hoard/proxy/fwdproxy"
)

// caDir is where the forward proxy's CA lives, in the data directory.
func caDir(cfg configs.Config) string { return filepath.Join(cfg.DataDir, "ca") }

// caHosts are the host names (without ports) the CA may sign for: every host a
// mount fronts and Hoard's own public host.
func caHosts(srv *proxy.Server, cfg configs.Config) []string {
	seen := map[string]bool{}
	var out []string
	for _, hp := range append(srv.InterceptHosts(), selfHosts(cfg)...) {
		host, _, err := net.SplitHostPort(hp)
		if err == nil && !seen[host] {
			seen[host] = true
			out = append(out, host)
		}
	}
	return out
}

// selfHosts is Hoard's public URL as host:port.
func selfHosts(cfg configs.Config) []string {
	u, err := url.Parse(cfg.PublicURL)
	if err != nil {
		return nil
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return []string{net.JoinHostPort(u.Hostname(), port)}
}

// startForwardProxy listens on forward_proxy.listen; the returned stop lets
// requests in flight finish within timeout, then closes it.
func startForwardProxy(cfg configs.Config, srv *proxy.Server, log zerolog.Logger) (func(timeout time.Duration), error) {
	fc := cfg.ForwardProxy
	auth, err := fc.ReadAuth()
	if err != nil {
		return nil, err
	}
	ca, err := fwdproxy.LoadOrCreateCA(caDir(cfg), caHosts(srv, cfg))
	if err != nil {
		return nil, err
	}
	fp := fwdproxy.New(fwdproxy.Options{
		Handler: srv, Intercept: srv.Intercept, Hosts: srv.InterceptHosts(), Self: selfHosts(cfg),
		CA: ca, Allow: fc.Allow, Auth: auth, MaxTunnels: fc.MaxTunnels, IdleTimeout: fc.IdleTimeout.D(), Log: log,
	})
	ln, err := net.Listen("tcp", fc.Listen)
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: fp, ReadHeaderTimeout: 15 * time.Second, IdleTimeout: fc.IdleTimeout.D(), MaxHeaderBytes: 64 << 10}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Msg("forward proxy stopped")
		}
	}()
	log.Info().Str("listen", ln.Addr().String()).Strs("intercepted", srv.InterceptHosts()).
		Str("ca", filepath.Join(caDir(cfg), "ca.pem")).Msg("forward proxy listening")
	return func(timeout time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		_ = hs.Shutdown(ctx)
		_ = fp.Shutdown(ctx)
	}, nil
}
