package admin

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"slices"
	"time"

	"hoard/proxy/bundle"
)

// Export and import run in the daemon, on its open cache, not on a data directory
// by themselves: the index is held exclusively by the daemon, so a tool beside it
// could not open it, and stopping the daemon to carry a cache across is the
// downtime air-gapped sites must not have. The export reads a snapshot of the
// index and hard links of its blobs, so serving and filling go on meanwhile; the
// import publishes entries one at a time only after every blob is verified, and
// clients are served from the same cache throughout.

// VerifyKeyHeader carries the importer's public key (PKIX DER, base64), checked
// in addition to admin.verify_key.
const VerifyKeyHeader = "X-Hoard-Verify-Key"

// export streams a bundle of the chosen mounts (?mount=NAME and ?format=NAME,
// repeatable; all when none) with entries fetched after ?since= (RFC 3339). A failure once the tar has
// begun aborts the connection, so the client sees a broken transfer.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	mounts := map[string]string{}
	for _, name := range r.URL.Query()["mount"] {
		m, ok := s.mountByName(name)
		if !ok {
			writeError(w, http.StatusBadRequest, "--mount "+name+": no such mount (mounts: "+s.mountList()+")")
			return
		}
		mounts[m.Name] = m.Format
	}
	formats := r.URL.Query()["format"] // ?format=oci: every mount of that format
	all := len(mounts) == 0 && len(formats) == 0
	for _, m := range s.o.Mounts {
		if all || slices.Contains(formats, m.Format) {
			mounts[m.Name] = m.Format
		}
	}
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "--since "+v+": not an RFC 3339 time (2006-01-02T15:04:05Z)")
			return
		}
		since = t
	}
	w.Header().Set("Content-Type", "application/x-tar")
	m, err := bundle.Export(r.Context(), s.o.Store, bundle.ExportOptions{Mounts: mounts, Since: since, Now: time.Now(), PublicURL: s.o.PublicURL}, w)
	if err != nil {
		s.o.Logger.Error().Err(err).Msg("export failed")
		panic(http.ErrAbortHandler)
	}
	s.o.Logger.Info().Int("entries", len(m.Entries)).Int("blobs", len(m.Blobs)).Msg("export done")
}

// ImportAnswer is the body of an import's answer: the report, and the reason when
// the bundle was refused.
type ImportAnswer struct {
	Error  string        `json:"error,omitempty"`
	Report bundle.Report `json:"report"`
}

// importBundle reads a bundle from the body (?dry_run=1: verify and report only).
// One import runs at a time.
func (s *Server) importBundle(w http.ResponseWriter, r *http.Request) {
	if !s.importing.TryLock() {
		drain(r.Body)
		writeError(w, http.StatusConflict, "another import is running; wait for it to end")
		return
	}
	defer s.importing.Unlock()
	keys, err := s.importKeys(r)
	if err != nil {
		drain(r.Body)
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	mounts := map[string]string{}
	for _, m := range s.o.Mounts {
		mounts[m.Name] = m.Format
	}
	dry := r.URL.Query().Get("dry_run") == "1"
	rep, err := bundle.Import(r.Context(), s.o.Store, bundle.ImportOptions{Mounts: mounts, Keys: keys, DryRun: dry,
		PublicURL: s.o.PublicURL, Formats: s.o.Formats}, r.Body)
	log := s.o.Logger.Info()
	if err != nil {
		log = s.o.Logger.Warn().Err(err)
	}
	log.Bool("dry_run", dry).Int("added", rep.Added).Int("replaced", rep.Replaced).Int("unchanged", rep.Unchanged).
		Int("refused", rep.Refused).Int64("blob_bytes", rep.BlobBytes).Msg("import")
	if err != nil {
		drain(r.Body) // the client is still sending; let it read the answer
		status := http.StatusInternalServerError
		var refused *bundle.RefusedError
		if errors.As(err, &refused) {
			status = http.StatusUnprocessableEntity
		}
		writeJSON(w, status, ImportAnswer{Error: err.Error(), Report: rep})
		return
	}
	writeJSON(w, http.StatusOK, ImportAnswer{Report: rep})
}

// importKeys are admin.verify_key and the importer's own key, if it sent one.
func (s *Server) importKeys(r *http.Request) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	if s.o.VerifyKey != nil {
		keys = append(keys, s.o.VerifyKey)
	}
	if v := r.Header.Get(VerifyKeyHeader); v != "" {
		der, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, errors.New(VerifyKeyHeader + " is not base64")
		}
		k, err := bundle.ParsePublicKey(der)
		if err != nil {
			return nil, errors.New("--verify-key: " + err.Error())
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func drain(body io.Reader) { _, _ = io.Copy(io.Discard, body) }
