// Package admin is the operator's API, served on a listener of its own (admin.listen,
// loopback by default) and never on the one clients use: warming the cache from
// lockfiles, and exporting and importing bundles for air-gapped sites. Every request
// carries the admin token when one is configured.
//
// It sits beside the engine, not in it: it imports cache, configs, formats,
// formats/lockfile and its siblings bundle, usage and warm, never the engine
// (it reaches the engine only through the http.Handler cmd hands it).
package admin

import (
	"crypto/ed25519"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/formats"
	"hoard/proxy/usage"
)

// Options builds the admin handler.
type Options struct {
	Store *cache.Store
	// Proxy is the handler clients reach: warm's requests go through it, so they
	// are filled, coalesced, verified and counted like any client's.
	Proxy  http.Handler
	Mounts []configs.Mount
	// Formats are the built-in formats by name: an import asks them to point carried
	// documents at this daemon's public URL.
	Formats   map[string]formats.Format
	PublicURL string
	// Token, when set, must come as "Authorization: Bearer TOKEN".
	Token string
	// VerifyKey, when set, must have signed every imported bundle.
	VerifyKey ed25519.PublicKey
	Logger    zerolog.Logger
	// Metrics, when set, are the proxy's Prometheus collectors, which GET /api/stats
	// summarises; CacheBudget is cache.max_size (0: unlimited).
	Metrics     prometheus.Gatherer
	CacheBudget int64
	// Usage, when set, is the proxy's per-entry and per-package counts and its
	// recent errors: hits in the listing, top packages and errors on the status page.
	Usage *usage.Counter
	// UsageFile, when set, keeps Usage's counts across restarts: loaded at New,
	// written every few minutes and at Close.
	UsageFile string
	// PinnedBudget is cache.max_pinned_size: pins that would take the pinned
	// entries past it are refused (0: no pins beyond the LRU budget's own).
	PinnedBudget int64
}

// Server serves the admin API.
type Server struct {
	o         Options
	mux       *http.ServeMux
	importing sync.Mutex // one import at a time
	hist      *history
	now       func() time.Time
	done      chan struct{} // closed by Close: stops the sampler
	sampled   chan struct{} // closed when the sampler has stopped
	closeOnce sync.Once
}

// New builds the admin handler and starts the sampler that keeps the history.
// Every route of the API lives under /api/; the first paths of warm, export and
// import (/-/admin/...) stay as aliases for clients written against them.
func New(o Options) *Server {
	s := &Server{o: o, mux: http.NewServeMux(), now: time.Now, done: make(chan struct{}), sampled: make(chan struct{})}
	if s.o.Usage == nil {
		s.o.Usage = usage.New() // nothing counts into it: empty figures, not nil checks everywhere
	}
	s.hist = newHistory(s.now())
	if o.UsageFile != "" {
		if err := s.o.Usage.Load(o.UsageFile); err != nil {
			o.Logger.Warn().Err(err).Msg("hit counts start from zero")
		}
	}
	for _, prefix := range []string{"/api", "/-/admin"} {
		s.mux.HandleFunc("POST "+prefix+"/warm", s.warm)
		s.mux.HandleFunc("GET "+prefix+"/export", s.export)
		s.mux.HandleFunc("POST "+prefix+"/import", s.importBundle)
	}
	s.mux.HandleFunc("GET /api/entries", s.entries)
	s.mux.HandleFunc("POST /api/purge", s.purge)
	s.mux.HandleFunc("POST /api/pin", s.pin)
	s.mux.HandleFunc("POST /api/unpin", s.unpin)
	s.mux.HandleFunc("GET /api/stats", s.stats)
	s.mux.HandleFunc("GET /api/history", s.history)
	s.mux.HandleFunc("GET /api/top", s.top)
	s.mux.HandleFunc("GET /api/errors", s.recentErrors)
	if o.Store != nil {
		go s.sampleLoop()
	} else {
		close(s.sampled) // nothing to sample
	}
	return s
}

// Close stops the sampler that keeps the history and saves the usage counts.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		<-s.sampled
		s.keepUsage(false)
	})
}

// ServeHTTP serves the status page's files to anyone (they hold no data: the
// page asks the API, with the token), checks the token, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isPageAsset(r) {
		servePage(w, r)
		return
	}
	if s.o.Token != "" && !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hoard-admin"`)
		writeError(w, http.StatusUnauthorized, "the admin API needs the admin token: --admin-token or HOARD_ADMIN_TOKEN")
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.o.Token)) == 1
}

// mountByName returns the configured mount called name.
func (s *Server) mountByName(name string) (configs.Mount, bool) {
	for _, m := range s.o.Mounts {
		if m.Name == name {
			return m, true
		}
	}
	return configs.Mount{}, false
}

// errorBody is every admin error's JSON shape.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
