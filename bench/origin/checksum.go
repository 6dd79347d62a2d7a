package origin

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"path"
	"strings"
)

var checksumAlgos = map[string]func() hash.Hash{
	".md5": md5.New, ".sha1": sha1.New, ".sha256": sha256.New, ".sha512": sha512.New,
}

// serveChecksum answers rel = X.<algo> with the hex digest of X, and reports false
// when rel is not a checksum name or X does not exist either.
func (o *Origin) serveChecksum(w http.ResponseWriter, r *http.Request, rel string) bool {
	ext := path.Ext(rel)
	newHash, ok := checksumAlgos[ext]
	if !ok {
		return false
	}
	f, fi, err := o.open(strings.TrimSuffix(rel, ext))
	if err != nil {
		return false
	}
	defer f.Close()
	h := newHash()
	if _, err := io.Copy(h, f); err != nil {
		http.Error(w, "read error", http.StatusInternalServerError)
		return true
	}
	w.Header().Set("ETag", strings.TrimSuffix(etag(fi), `"`)+ext+`"`)
	w.Header().Set("Content-Type", "text/plain")
	http.ServeContent(w, r, path.Base(rel), fi.ModTime(), bytes.NewReader([]byte(hex.EncodeToString(h.Sum(nil)))))
	return true
}
