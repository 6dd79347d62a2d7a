package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"hoard/cache"
)

// PinRequest is the body of POST /api/pin and /api/unpin: the entries of a mount
// that match the pattern (every entry of the mount when it is empty).
type PinRequest struct {
	Mount   string `json:"mount"`
	Pattern string `json:"pattern"`
}

// PinReport says how many entries a pin or unpin changed.
type PinReport struct {
	Entries int   `json:"entries"`
	Bytes   int64 `json:"bytes"`
}

func (s *Server) pin(w http.ResponseWriter, r *http.Request)   { s.setPins(w, r, true) }
func (s *Server) unpin(w http.ResponseWriter, r *http.Request) { s.setPins(w, r, false) }

// setPins pins or unpins the entries cached now; a version fetched later is not
// pinned by an earlier pin of its package.
func (s *Server) setPins(w http.ResponseWriter, r *http.Request, pin bool) {
	var req PinRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || req.Mount == "" {
		writeError(w, http.StatusBadRequest, "the body must be JSON with a mount: {\"mount\": NAME, \"pattern\": PATTERN}")
		return
	}
	sel, bad := s.newSelection(req.Mount, req.Pattern)
	if bad != "" {
		writeError(w, http.StatusBadRequest, bad)
		return
	}
	chosen, err := s.collect(r, sel, func(l cache.Listed) bool { return l.Pinned != pin })
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if pin && !s.withinPinnedBudget(w, chosen) {
		return
	}
	var rep PinReport
	for _, l := range chosen {
		var err error
		if pin {
			err = s.o.Store.Pin(l.Key)
		} else {
			err = s.o.Store.Unpin(l.Key)
		}
		if errors.Is(err, cache.ErrNotFound) {
			continue // evicted or purged since the walk
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		rep.Entries++
		rep.Bytes += l.Size
	}
	s.o.Logger.Info().Str("mount", req.Mount).Str("pattern", req.Pattern).Bool("pin", pin).Int("entries", rep.Entries).Msg("pin")
	writeJSON(w, http.StatusOK, rep)
}

// withinPinnedBudget refuses, with a 409 naming the figures, a pin that would take
// the pinned entries past cache.max_pinned_size; nothing is pinned then. The check
// is made when pinning: a pinned key refilled later with a larger body is not
// refused, it only shows in the stats.
func (s *Server) withinPinnedBudget(w http.ResponseWriter, chosen []cache.Listed) bool {
	if s.o.PinnedBudget <= 0 {
		return true
	}
	now, err := s.o.Store.Pinned()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return false
	}
	var more int64
	for _, l := range chosen {
		more += l.Size
	}
	if now.Bytes+more <= s.o.PinnedBudget {
		return true
	}
	writeError(w, http.StatusConflict, fmt.Sprintf("pinning %d entries (%d bytes) would take the pinned bytes to %d, past cache.max_pinned_size %d: unpin something first or raise it",
		len(chosen), more, now.Bytes+more, s.o.PinnedBudget))
	return false
}
