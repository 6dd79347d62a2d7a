package admin

import (
	"errors"
	"net/http"
	"strconv"

	"hoard/cache"
	"hoard/proxy/usage"
)

const (
	defaultTop = 10
	maxTop     = 100
)

// TopPackages is GET /api/top: the packages with the most cache hits and the
// most bytes served.
type TopPackages struct {
	ByHits  []usage.PackageUsage `json:"by_hits"`
	ByBytes []usage.PackageUsage `json:"by_bytes"`
	// Uncounted is how many counts the bounded tables had no room for.
	Uncounted int64 `json:"uncounted"`
}

// top serves GET /api/top?n=N.
func (s *Server) top(w http.ResponseWriter, r *http.Request) {
	n := defaultTop
	if v := r.URL.Query().Get("n"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > maxTop {
			writeError(w, http.StatusBadRequest, "n must be a number from 1 to "+strconv.Itoa(maxTop))
			return
		}
	}
	byHits, byBytes := s.o.Usage.Top(n)
	writeJSON(w, http.StatusOK, TopPackages{ByHits: byHits, ByBytes: byBytes, Uncounted: s.o.Usage.Dropped()})
}

// RecentErrors is GET /api/errors: the last requests answered with a 5xx, newest
// first, and how many there were since start.
type RecentErrors struct {
	Errors []usage.Error `json:"errors"`
	Total  int           `json:"total"`
}

func (s *Server) recentErrors(w http.ResponseWriter, _ *http.Request) {
	errs, total := s.o.Usage.Errors()
	writeJSON(w, http.StatusOK, RecentErrors{Errors: errs, Total: total})
}

// keepUsage saves the usage counts to the usage file, first forgetting the hits
// of keys no longer cached when prune is set.
func (s *Server) keepUsage(prune bool) {
	if prune && s.o.Store != nil {
		s.o.Usage.Prune(func(key string) bool {
			_, err := s.o.Store.Lookup(key)
			return !errors.Is(err, cache.ErrNotFound)
		})
	}
	if s.o.UsageFile == "" {
		return
	}
	if err := s.o.Usage.Save(s.o.UsageFile); err != nil {
		s.o.Logger.Warn().Err(err).Msg("saving the hit counts failed")
	}
}
