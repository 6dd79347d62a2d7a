package proxy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"

	"hoard/cache"
)

// The first serve of a blob after a start is verified as it streams: a bit flipped
// on disk since the blob was written must not reach a client as the published
// bytes. A whole-body GET is hashed as it goes out, the last chunk held back until
// the hash is known; on a mismatch the transfer is aborted (the client sees a
// broken transfer, never a complete wrong body), the blob and its entries are
// dropped, counted and logged, and the next request fetches it again. A Range or
// conditional request hashes the file before answering. Later serves keep the
// sendfile path. A HEAD sends no bytes and proves nothing.

// errCorruptBlob: a cached blob does not match its digest.
var errCorruptBlob = errors.New("cached blob does not match its digest")

// needsFirstVerify reports whether serving entry's file to r must hash it first.
func (e *engine) needsFirstVerify(r *http.Request, entry cache.Entry) bool {
	return r.Method != http.MethodHead && !e.store.VerifiedSinceOpen(entry)
}

// verifyFile hashes the whole file before a Range or conditional answer; false
// when it does not match (the blob is then dropped).
func (e *engine) verifyFile(r *http.Request, m *mount, entry cache.Entry, f *os.File) bool {
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false
	}
	if hex.EncodeToString(h.Sum(nil)) != entry.Digest.Hex() {
		e.corrupt(r, m, entry)
		return false
	}
	e.store.MarkVerified(entry)
	return true
}

// serveVerifying answers a whole-body GET from f, hashing as it streams.
func (e *engine) serveVerifying(w http.ResponseWriter, r *http.Request, m *mount, entry cache.Entry, f *os.File, result, warning string) {
	setEntryHeaders(w.Header(), m, entry, result, warning)
	setResult(r, result)
	h := w.Header()
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.FormatInt(entry.Size, 10))
	if lm := httpDate(entry.LastModified); lm != "" {
		h.Set("Last-Modified", lm)
	}
	w.WriteHeader(http.StatusOK)
	sum := sha256.New()
	b1, b2 := copyBuffers.Get().(*[]byte), copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(b1)
	defer copyBuffers.Put(b2)
	cur, spare := *b1, *b2
	var held []byte // a full chunk not yet sent: it goes once a read shows more follows
	var sent int64
	var last []byte
	for {
		n, err := io.ReadFull(f, cur)
		sum.Write(cur[:n])
		if err == nil {
			if len(held) > 0 {
				if _, werr := w.Write(held); werr != nil {
					return // the client left
				}
				sent += int64(len(held))
			}
			held, cur, spare = cur[:n], spare, cur
			continue
		}
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			panic(http.ErrAbortHandler)
		}
		last = cur[:n]
		break
	}
	if hex.EncodeToString(sum.Sum(nil)) != entry.Digest.Hex() || sent+int64(len(held)+len(last)) != entry.Size {
		e.corrupt(r, m, entry)
		panic(http.ErrAbortHandler)
	}
	e.store.MarkVerified(entry)
	if _, err := w.Write(held); err == nil {
		w.Write(last)
	}
}

// corrupt drops a blob found not to match its digest, and counts it.
func (e *engine) corrupt(r *http.Request, m *mount, entry cache.Entry) {
	requestLogger(r).Error().Str("mount", m.name).Str("key", entry.Key).Str("digest", entry.Digest.String()).
		Msg("cached blob does not match its digest on its first serve since start; dropped, to be fetched again")
	e.metrics.corrupt.WithLabelValues(m.name).Inc()
	e.store.DropCorrupt(entry)
}
