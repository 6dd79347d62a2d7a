package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/proxy"
)

// mountFlags collects repeated --mount values.
type mountFlags []configs.Mount

func (m *mountFlags) String() string { return fmt.Sprint(len(*m), " mounts") }
func (m *mountFlags) Set(v string) error {
	mt, err := configs.ParseMountFlag(v)
	if err != nil {
		return err
	}
	*m = append(*m, mt)
	return nil
}

// serveFlags are the flags of `hoard serve` that are not configuration keys.
type serveFlags struct {
	pprof string // listen address for net/http/pprof; empty: off
}

// parseServe reads the configuration file (or the embedded default) and applies the
// command-line overrides.
func parseServe(args []string) (configs.Config, serveFlags, error) {
	var extra serveFlags
	def := configs.Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	file := fs.String("config", "", "YAML configuration file laid over the built-in defaults shown here (default: none, the GitHub Packages mirror)")
	listen := fs.String("listen", "", fmt.Sprintf("address to listen on, host:port (default %q)", def.Listen))
	dataDir := fs.String("data-dir", "", fmt.Sprintf("directory for the cache (default %q)", def.DataDir))
	publicURL := fs.String("public-url", "", "URL clients reach Hoard at; rewritten metadata points here (default http://localhost:PORT)")
	offline := fs.Bool("offline", false, "never contact an upstream; serve only what is cached")
	logLevel := fs.String("log-level", "", fmt.Sprintf("debug, info, warn or error (default %q)", def.Log.Level))
	authMode := fs.String("auth", "", fmt.Sprintf("upstream (check tokens with GitHub), local (hoard token), or none (the upstream decides) (default %q)", def.Auth.Mode))
	github := fs.String("github", "", fmt.Sprintf("GitHub site whose registries and API the default mounts use: https://github.com, https://HOST (Enterprise Server) or https://SUB.ghe.com (default %q)", def.GitHub.URL))
	proxyListen := fs.String("proxy-listen", "", "also listen here as a forward proxy (HTTPS_PROXY) that caches the registry hosts the mounts front, host:port (default off)")
	adminListen := fs.String("admin-listen", "", fmt.Sprintf("address of the admin API (warm, export, import), or off (default %q)", def.Admin.Listen))
	ociDefault := fs.String("oci-default", "", "OCI mount that serves /v2/ names without a mount prefix (for Docker's registry-mirrors) (default none)")
	fs.StringVar(&extra.pprof, "pprof", "", "serve net/http/pprof on this separate address, e.g. 127.0.0.1:6060 (default off; never expose it)")
	var mounts mountFlags
	fs.Var(&mounts, "mount", configs.MountFlagUsage+"; repeatable; replaces the configured mounts (default: "+defaultMountList(def)+")")
	if err := parseFlags(fs, args); err != nil {
		return configs.Config{}, extra, err
	}
	cfg, err := configs.Load(*file)
	if err != nil {
		return cfg, extra, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	apply := func(name string, dst *string, v string) {
		if set[name] {
			*dst = v
		}
	}
	apply("listen", &cfg.Listen, *listen)
	apply("data-dir", &cfg.DataDir, *dataDir)
	apply("public-url", &cfg.PublicURL, *publicURL)
	apply("log-level", &cfg.Log.Level, *logLevel)
	apply("auth", &cfg.Auth.Mode, *authMode)
	apply("oci-default", &cfg.OCIDefault, *ociDefault)
	apply("proxy-listen", &cfg.ForwardProxy.Listen, *proxyListen)
	apply("admin-listen", &cfg.Admin.Listen, *adminListen)
	apply("github", &cfg.GitHub.URL, *github)
	if set["offline"] {
		cfg.Offline = *offline
	}
	if len(mounts) > 0 {
		cfg.Mounts = mounts
		cfg.ExpandAllTTL(ttlClasses)
	}
	known := func(f string) bool { _, ok := builtinFormats()[f]; return ok }
	if cfg.DefaultMounts && len(mounts) == 0 {
		// The built-in default names every GitHub Packages registry; mount those whose
		// format this binary speaks.
		cfg.DropUnknownFormats(known)
	}
	return cfg, extra, errors.Join(cfg.Validate(known), cfg.CheckTTLClasses(ttlClasses))
}

// defaultMountList names the built-in mounts this binary serves, for -h.
func defaultMountList(def configs.Config) string {
	def.DropUnknownFormats(func(f string) bool { _, ok := builtinFormats()[f]; return ok })
	_, _ = def.ApplyGitHub() // the upstreams github.url derives; the embedded default is valid
	var list []string
	for _, m := range def.Mounts {
		list = append(list, m.Name+"="+m.Format+","+m.Upstream)
	}
	return strings.Join(list, " ")
}

func newLogger(out io.Writer, level string) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		lvl = zerolog.InfoLevel
	}
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger()
}

func serve(args []string) error {
	cfg, extra, err := parseServe(args)
	if err != nil {
		return err
	}
	sink := newLogSink(os.Stderr, cfg.Log.AccessFlush.D())
	defer sink.Close()
	log := newLogger(sink, cfg.Log.Level)
	access := newLogger(sink.Buffered(), cfg.Log.Level)
	if extra.pprof != "" {
		stopPprof, err := servePprof(extra.pprof, log)
		if err != nil {
			return err
		}
		defer stopPprof()
	}
	store, err := cache.Open(cache.Options{
		Dir: cfg.DataDir, MaxSize: int64(cfg.Cache.MaxSize), HotBytes: int64(cfg.Cache.HotSize), Logger: log,
	})
	if err != nil {
		return fmt.Errorf("opening cache: %w", err)
	}
	defer store.Close()
	cfg.Upstream.SelfProxy = cfg.ForwardProxy.Listen
	opts := proxy.Options{Config: cfg, Store: store, Formats: builtinFormats(), Logger: log, AccessLog: &access}
	if tier, err := openShared(cfg, store, log); err != nil {
		return err
	} else if tier != nil {
		opts.Shared = tier
	}
	srv, err := proxy.New(opts)
	if err != nil {
		return err
	}
	build := readBuildInfo()
	srv.SetBuildInfo(build.Version, build.Commit)
	stopAdmin, err := startAdmin(cfg, srv, store, log)
	if err != nil {
		return err
	}
	defer stopAdmin(cfg.DrainTimeout.D())
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	ln = proxy.Listen(ln) // lets large hits leave in one write with their headers
	httpSrv := &http.Server{Handler: srv, ConnContext: proxy.ConnContext,
		ReadHeaderTimeout: 15 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: proxy.MaxHeaderBytes}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	reloadOnHangup(ctx, args, srv, log)
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	for _, name := range cfg.Dropped {
		log.Warn().Str("mount", name).Str("github", cfg.GitHub.URL).Msg("mount left out: the GitHub site does not offer its format")
	}
	if cfg.ForwardProxy.Listen != "" {
		stopProxy, err := startForwardProxy(cfg, srv, log)
		if err != nil {
			httpSrv.Close()
			return fmt.Errorf("forward proxy: %w", err)
		}
		defer stopProxy(cfg.DrainTimeout.D())
	}
	logStart(log, cfg, ln.Addr().String(), build)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return drain(srv, httpSrv, cfg.DrainTimeout.D(), log)
}

// drain stops accepting, lets in-flight transfers and fills finish within the drain
// timeout; the deferred store.Close then closes the index cleanly.
func drain(srv *proxy.Server, httpSrv *http.Server, timeout time.Duration, log zerolog.Logger) error {
	log.Info().Float64("drain_timeout_s", timeout.Seconds()).Msg("shutting down")
	srv.Drain()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := httpSrv.Shutdown(ctx)
	if werr := srv.WaitFills(ctx); werr != nil {
		log.Warn().Msg("fills still running at the end of the drain timeout; they will be swept at next start")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		log.Warn().Msg("drain timeout reached with transfers in flight")
		httpSrv.Close()
		return nil
	}
	return err
}
