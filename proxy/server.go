// Package proxy is Hoard's HTTP layer: routing by mount, middleware and the
// pull-through engine (fill coalescing, revalidation, stale-if-error, publish). It
// asks package admission who may do what (tokens, scopes, private content) and
// answers its refusals in the format's shape; it reaches upstreams through package
// upstream, and asks them for admission's access checks.
//
// It imports formats, cache, configs, policy, proxy/admission, proxy/upstream and
// proxy/usage, and never a formats/<name> package or cache/fleet: what it needs of a
// protocol it asks through the interfaces in formats, and cmd hands it the formats
// to serve and the shared tier (depcheck_test.go holds these lines). The other
// packages under proxy/ (admin, bundle, warm, conformance, fwdproxy) stand beside
// it, handed its handler by cmd or driving it in tests; it imports none of them.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/formats"
	"hoard/proxy/admission"
	"hoard/proxy/upstream"
)

// negativeEntries bounds how many upstream 404s are remembered at once.
const negativeEntries = 100_000

// MaxHeaderBytes bounds a request's headers: past it net/http answers 431 and
// closes that connection, and everyone else is served as before.
const MaxHeaderBytes = 64 << 10

// Options builds a Server.
type Options struct {
	Config  configs.Config
	Store   *cache.Store
	Formats map[string]formats.Format // by format name
	Logger  zerolog.Logger
	// AccessLog takes the one line per request; Logger when nil. It may buffer
	// (see cmd/hoard): access lines are many and cheap to lose the last of.
	AccessLog *zerolog.Logger
	// Shared, if set, is the blob tier this node shares with others (shared.go).
	Shared SharedTier
}

// Server serves every mount, /metrics, /healthz and /readyz.
type Server struct {
	mounts   map[string]*mount
	engine   *engine
	gate     *admission.Gate
	metrics  *metrics
	log      zerolog.Logger
	access   zerolog.Logger
	draining atomic.Bool
	handler  http.Handler
	ids      requestIDs
	// roots are the fixed API roots of Rooted formats (OCI's /v2/).
	roots []*apiRoot
	// fronts are the mounts by the host:port they answer for in forward-proxy mode.
	fronts map[string][]hostFront
	// filters keeps documents filtered by the policy (see filterCache).
	filters *filterCache
}

// New builds a server from a validated configuration.
func New(o Options) (*Server, error) {
	client := upstream.NewClient(o.Config.Upstream)
	s := &Server{mounts: map[string]*mount{}, log: o.Logger, access: o.Logger, metrics: newMetrics(o.Store), filters: newFilterCache(filteredMemory)}
	s.ids.seed()
	if o.AccessLog != nil {
		s.access = *o.AccessLog
	}
	for _, mc := range o.Config.Mounts {
		f, ok := o.Formats[mc.Format]
		if !ok {
			return nil, fmt.Errorf("mount %s: format %q is not built in", mc.Name, mc.Format)
		}
		m, err := newMount(mc, f, client, o.Config.Upstream)
		if err != nil {
			return nil, err
		}
		m.setFixers(o.Config.PublicURL)
		s.mounts[mc.Name] = m
	}
	s.watchBreakers()
	s.roots = newRoots(s.mounts, o.Config.OCIDefault)
	s.fronts = newFronts(s.mounts, interceptAliases(o.Config.Mounts))
	s.engine = &engine{
		store: o.Store, offline: o.Config.Offline, publicURL: o.Config.PublicURL, fillTimeout: o.Config.Cache.FillTimeout.D(),
		maxSize: int64(o.Config.Cache.MaxArtifactSize), maxMetadata: int64(o.Config.Cache.MaxMetadataSize), metrics: s.metrics, log: o.Logger, now: time.Now,
		beforeCommit: commitPauseFromEnv(),
	}
	if o.Shared != nil {
		s.engine.shared, s.engine.sharedHits = o.Shared, newSharedHits(s.metrics.registry)
	}
	if s.engine.maxMetadata <= 0 {
		s.engine.maxMetadata = defaultMaxMetadata
	}
	// After the engine: the policy's pins go to its store.
	if err := s.SetPolicies(o.Config); err != nil {
		return nil, err
	}
	if ttl := o.Config.Cache.NegativeTTL.D(); ttl > 0 {
		s.engine.negative = expirable.NewLRU[string, string](negativeEntries, nil, ttl)
	}
	e := s.engine // its clock, read on every access check, is the one tests move
	gate, access, err := admission.New(admission.Options{Config: o.Config, Client: client, Store: o.Store,
		Metrics: s.metrics.registry, Now: func() time.Time { return e.now() }, Log: o.Logger, RequestLog: requestLogger})
	if err != nil {
		return nil, err
	}
	s.gate, s.engine.access = gate, access
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	hook, err := newWebhook(s, o.Config.Webhook)
	if err != nil {
		return nil, err
	}
	if hook != nil {
		mux.Handle("POST "+webhookPath, hook)
	}
	s.handler = s.observe(s.route(mux))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Drain makes /readyz fail so load balancers stop sending new requests.
func (s *Server) Drain() { s.draining.Store(true) }

// WaitFills waits until no fill is running or ctx ends, so the cache can be closed
// without cutting a commit short.
func (s *Server) WaitFills(ctx context.Context) error {
	return s.engine.running.wait(ctx)
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		http.Error(w, "draining", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

// route sends /NAME/... to its mount and everything else to the admin mux. The raw,
// escaped path is used: net/http's cleaning would hide traversal attempts that the
// formats must refuse themselves.
func (s *Server) route(admin http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t, ok := interceptOf(r); ok {
			s.serveIntercepted(w, r, t)
			return
		}
		escaped := r.URL.EscapedPath()
		trimmed := strings.TrimPrefix(escaped, "/")
		name, _, hasRest := strings.Cut(trimmed, "/")
		sub := "/" // of "/maven" alone
		if hasRest {
			sub = trimmed[len(name):] // "/" and the rest, without a copy
		}
		if root := s.rootOf(name); root != nil {
			s.serveRoot(w, r, root, sub)
			return
		}
		m, ok := s.mounts[name]
		if !ok {
			if !cleanAdminPath(escaped) {
				// "//host:port/...", "/x/../metrics": a traversal form, refused like
				// every other rather than redirected to a cleaned path.
				setResult(r, resultError)
				http.Error(w, "invalid path: empty, . or .. segment", http.StatusBadRequest)
				return
			}
			admin.ServeHTTP(w, r)
			return
		}
		ri := infoOf(r)
		ri.mount, ri.format = m.name, m.format.Name()
		s.serveMount(fixed(w, r, m.fixNamed), r, m, sub)
	})
}

// cleanAdminPath reports whether a path outside every mount is already clean: the
// admin mux would answer any other with a redirect to its cleaned form.
func cleanAdminPath(escaped string) bool {
	return escaped == "/" || (path.Clean(escaped) == escaped && !strings.Contains(escaped, "%"))
}

func (s *Server) serveMount(w http.ResponseWriter, r *http.Request, m *mount, rest string) {
	rt, err := m.format.Route(r, rest)
	if err != nil {
		setResult(r, resultError)
		status := http.StatusBadRequest
		if errors.Is(err, formats.ErrMethod) {
			status = http.StatusMethodNotAllowed
		}
		m.format.WriteError(w, r, status, err)
		return
	}
	c, ok := s.admit(w, r, m, rt)
	infoOf(r).caller = c
	if ok && (s.refusedByPolicy(w, r, m, rt) || s.serveFiltered(w, r, m, rt) || s.serveIndexFiltered(w, r, m, rt) || s.serveTagged(w, r, m, rt)) {
		return
	}
	if !ok {
		// A refused publish or delete is audited too: who tried, what, and the answer.
		s.engine.audit(r, m, rt, statusOf(w))
		return
	}
	switch rt.Kind {
	case formats.Artifact, formats.Metadata:
		s.engine.serveRead(w, r, m, rt)
	default:
		s.engine.forward(w, r, m, rt, rewritesPassthrough(m.format, rt))
	}
}
