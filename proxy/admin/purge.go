package admin

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"hoard/cache"
)

// PurgeRequest is POST /api/purge's body. A mount is required, so that no typo
// empties the whole cache; an empty pattern purges the whole mount.
type PurgeRequest struct {
	Mount   string `json:"mount"`
	Pattern string `json:"pattern"`
	// MetadataOnly drops only documents with a TTL (package metadata, indexes), so
	// the next request fetches them afresh while artifacts stay cached.
	MetadataOnly bool `json:"metadata_only"`
}

type PurgeReport struct {
	Purged int   `json:"purged"` // entries removed
	Bytes  int64 `json:"bytes"`  // their sizes added up (shared blobs count once per entry)
}

// purge serves POST /api/purge. Each entry is deleted on its own: a blob goes
// with the last entry that uses it, so content another entry shares stays.
func (s *Server) purge(w http.ResponseWriter, r *http.Request) {
	var req PurgeRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "the body must be JSON: {\"mount\": NAME, \"pattern\": PATTERN, \"metadata_only\": BOOL}")
		return
	}
	if req.Mount == "" {
		writeError(w, http.StatusBadRequest, "purge needs a mount")
		return
	}
	sel, bad := s.newSelection(req.Mount, req.Pattern)
	if bad != "" {
		writeError(w, http.StatusBadRequest, bad)
		return
	}
	doomed, err := s.collect(r, sel, func(l cache.Listed) bool { return !req.MetadataOnly || l.Mutable })
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	var rep PurgeReport
	for _, l := range doomed {
		err := s.o.Store.Delete(l.Key)
		if err == nil {
			err = s.o.Store.Unpin(l.Key) // the operator wants it gone, not back pinned
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, "purged "+strconv.Itoa(rep.Purged)+" entries, then: "+err.Error())
			return
		}
		s.o.Usage.Forget(l.Key)
		rep.Purged++
		rep.Bytes += l.Size
	}
	s.o.Logger.Info().Str("mount", req.Mount).Str("pattern", strings.Trim(req.Pattern, "/")).
		Bool("metadata_only", req.MetadataOnly).Int("purged", rep.Purged).Msg("purge")
	writeJSON(w, http.StatusOK, rep)
}
