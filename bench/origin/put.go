package origin

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// put stores the body at rel under WriteDir. It writes a dot-file in the target's
// directory and renames it into place, so a reader sees the old file or the whole new
// one, never a half-written one, and an aborted upload leaves nothing servable (GET
// refuses dot-files).
func (o *Origin) put(w http.ResponseWriter, r *http.Request, rel string) {
	dst := filepath.Join(o.opts.WriteDir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		http.Error(w, "cannot create directory", http.StatusConflict)
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".put-*")
	if err != nil {
		http.Error(w, "cannot write", http.StatusInternalServerError)
		return
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = io.Copy(tmp, r.Body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		http.Error(w, "upload failed", http.StatusBadRequest)
		return
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		// Renaming over a directory fails: the path is a directory, not a file.
		http.Error(w, "cannot write", http.StatusConflict)
		return
	}
	w.WriteHeader(http.StatusCreated)
}
