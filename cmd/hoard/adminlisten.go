package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/proxy/admin"
	"hoard/proxy/bundle"
	hoardusage "hoard/proxy/usage"
)

// startAdmin serves the admin API on admin.listen, apart from the clients'
// listener; it returns how to stop it (a no-op when admin.listen is off): work in
// flight (an import) gets the drain timeout, then its connection is closed, and an
// import cut short publishes nothing.
func startAdmin(cfg configs.Config, proxyHandler http.Handler, store *cache.Store, log zerolog.Logger) (func(time.Duration), error) {
	if !cfg.Admin.Enabled() {
		return func(time.Duration) {}, nil
	}
	token, err := cfg.Admin.ReadToken()
	if err != nil {
		return nil, err
	}
	var key ed25519.PublicKey
	if p := cfg.Admin.VerifyKeyPath(); p != "" {
		if key, err = bundle.ReadPublicKey(p); err != nil {
			return nil, fmt.Errorf("admin.verify_key: %w", err)
		}
	}
	var gatherer prometheus.Gatherer // the stats read the proxy's own counters
	if m, ok := proxyHandler.(interface{ Metrics() prometheus.Gatherer }); ok {
		gatherer = m.Metrics()
	}
	var counts *hoardusage.Counter // hits per entry and package, recent errors
	if u, ok := proxyHandler.(interface{ Usage() *hoardusage.Counter }); ok {
		counts = u.Usage()
	}
	h := admin.New(admin.Options{Store: store, Proxy: proxyHandler, Mounts: cfg.Mounts, PublicURL: cfg.PublicURL, Formats: builtinFormats(),
		Token: token, VerifyKey: key, Logger: log.With().Str("component", "admin").Logger(),
		CacheBudget: int64(cfg.Cache.MaxSize), PinnedBudget: cfg.Cache.PinnedBudget(), Metrics: gatherer, Usage: counts,
		UsageFile: filepath.Join(cfg.DataDir, "usage.json")})
	ln, err := net.Listen("tcp", cfg.Admin.Listen)
	if err != nil {
		return nil, fmt.Errorf("admin listener (admin.listen, --admin-listen; off turns it off): %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 15 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Error().Err(err).Msg("admin listener failed")
		}
	}()
	log.Info().Str("admin_listen", ln.Addr().String()).Bool("admin_token", token != "").Msg("admin API listening")
	return func(timeout time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		h.Close()
	}, nil
}
