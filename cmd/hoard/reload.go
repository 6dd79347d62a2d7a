package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/rs/zerolog"

	"hoard/proxy"
)

// reloadOnHangup re-reads the configuration (the same file and flags) on every
// SIGHUP and puts its policies in force. A configuration that does not load,
// validate or compile is refused whole and the policies in force are kept; the
// error is logged. Other keys take effect at the next start.
func reloadOnHangup(ctx context.Context, args []string, srv *proxy.Server, log zerolog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				reloadPolicies(args, srv, log)
			}
		}
	}()
}

func reloadPolicies(args []string, srv *proxy.Server, log zerolog.Logger) {
	cfg, _, err := parseServe(args)
	if err == nil {
		err = srv.SetPolicies(cfg)
	}
	if err != nil {
		log.Error().Err(err).Msg("reload refused: the configuration is not valid; the policies in force are kept")
		return
	}
	log.Info().Msg("reloaded: policies from the configuration are in force")
}
