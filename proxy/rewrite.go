package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"

	"hoard/cache"
	"hoard/formats"
)

// readsWhole reports whether f reads rt's upstream body whole, to be checked by its
// Rewriter, though rt is not Metadata (formats.WholeReader). Asked on misses only.
func readsWhole(f formats.Format, rt formats.Route) bool {
	w, ok := f.(formats.WholeReader)
	return ok && w.ReadsWhole(rt)
}

// storeRewritten reads a metadata document whole, rewrites it once (URLs pointing at
// Hoard's public URL), and caches the rewritten bytes; every client is then served
// from the cache, so rewriting never happens per request. The rewritten bytes are
// answered as soon as they are verified, before the commit that makes them and
// their checksum table durable: from memory (see answerThenStore), or, for a big
// document whose format rewrites it in pieces, from the temp file the pieces are
// written to (see streamPieced).
// Immutable content read whole (formats.WholeReader), which a Rewriter checks but keeps
// byte for byte, is verified against expected, its sidecars' checksums, like any
// artifact.
func (e *engine) storeRewritten(f *fill, spec fillSpec, resp *http.Response, head []byte, rw formats.Rewriter, expected []cache.Checksum) {
	fail := func(err error) { f.end(outcomeFailed, cache.Entry{}, relayed{}, err) }
	var buf []byte
	if resp.ContentLength <= e.maxMetadata { // more is refused unread
		buf = docBuffer(resp.ContentLength + 1)
	}
	body, err := e.readDocument(resp, head, buf)
	if err != nil {
		giveDocBuffer(buf)
		fail(err)
		return
	}
	if pr, ok := piecedRewriter(spec.mount.format, spec.route, int64(len(body))); ok {
		e.streamPieced(f, spec, resp, body, pr)
		giveDocBuffer(buf) // written out: nothing refers to it now
		return
	}
	out, table, err := e.rewriteInMemory(spec, rw, body)
	if !within(out, buf) {
		giveDocBuffer(buf) // rewritten into a buffer of its own, or refused
	}
	if err != nil {
		fail(fmt.Errorf("%w: %v", errBadBody, err))
		return
	}
	if spec.route.Kind == formats.Metadata {
		expected = nil // the upstream's checksums are of the bytes before the rewrite
	}
	if err := verifyWhole(out, -1, expected); err != nil {
		fail(err)
		return
	}
	if dh, ok := spec.mount.format.(formats.DocumentHeaderer); ok && spec.route.Kind == formats.Metadata {
		spec.docHeader = dh.DocumentHeaders(spec.route, out)
	}
	e.answerThenStore(f, resp, spec, out, 0, expected, table)
	// Its clients have it and it is committed: ready the next document's buffer.
	e.warm.prewarm()
}

// rewriteInMemory is rewrite for a document answered from memory: a format
// that gives its rewrite in pieces has them joined in a warm buffer
// (warmBuffers), not in pages first touched on the client's path.
func (e *engine) rewriteInMemory(spec fillSpec, rw formats.Rewriter, body []byte) ([]byte, map[string]cache.Checksum, error) {
	pr, ok := spec.mount.format.(formats.PieceRewriter)
	if !ok || spec.route.Kind != formats.Metadata || len(body) < docBufferMin {
		return e.rewrite(spec, rw, body)
	}
	pieces, table, err := e.rewritePieces(spec, pr, body)
	if err != nil {
		return nil, nil, err
	}
	return e.warm.join(pieces), table, nil
}

// rewritePieces is a metadata document's rewrite in pieces (see
// formats.PieceRewriter), with its checksum table when the format indexes it
// (nil otherwise).
func (e *engine) rewritePieces(spec fillSpec, pr formats.PieceRewriter, body []byte) ([][]byte, map[string]cache.Checksum, error) {
	pieces, sums, err := pr.RewritePieces(spec.route, body, e.mountURL(spec.mount))
	if err != nil {
		return nil, nil, err
	}
	if _, indexes := spec.mount.format.(formats.SumsIndexer); !indexes {
		return pieces, nil, nil
	}
	return pieces, checksumTable(sums), nil
}

// rewrite rewrites a document and, when the format indexes it, makes its
// checksum table: in the rewrite's own pass where the format can
// (formats.RewriteIndexer). table is nil when there is none to keep.
func (e *engine) rewrite(spec fillSpec, rw formats.Rewriter, body []byte) (out []byte, table map[string]cache.Checksum, err error) {
	base := e.mountURL(spec.mount)
	ix, indexes := spec.mount.format.(formats.SumsIndexer)
	indexes = indexes && spec.route.Kind == formats.Metadata
	var sums map[string]formats.Checksum
	if ri, ok := rw.(formats.RewriteIndexer); ok && indexes {
		out, sums, err = ri.RewriteSums(spec.route, body, base)
	} else {
		out, err = rw.Rewrite(spec.route, body, base)
		if err == nil && indexes {
			if sums, err = ix.Sums(spec.route, out, base); err != nil {
				// The artifacts' fills build the table themselves, if they can.
				e.log.Warn().Err(err).Msg("building a checksum table failed")
				return out, nil, nil
			}
		}
	}
	if err != nil || !indexes {
		return out, nil, err
	}
	return out, checksumTable(sums), nil
}

func checksumTable(sums map[string]formats.Checksum) map[string]cache.Checksum {
	table := make(map[string]cache.Checksum, len(sums))
	for name, c := range sums {
		table[name] = cache.Checksum{Algo: c.Algo, Hex: c.Hex}
	}
	return table
}

// readDocument reads an upstream document whole (head is what was already read of
// it) under cache.max_metadata_size, checking its declared length. A body of a
// declared length is read into buf when buf has room.
func (e *engine) readDocument(resp *http.Response, head, buf []byte) ([]byte, error) {
	if resp.ContentLength > e.maxMetadata {
		return nil, e.metadataTooLarge(resp.ContentLength)
	}
	if resp.ContentLength >= int64(len(head)) {
		return readDeclared(resp.Body, head, resp.ContentLength, buf)
	}
	var b bytes.Buffer
	b.Write(head)
	if _, err := b.ReadFrom(io.LimitReader(resp.Body, e.maxMetadata+1-int64(len(head)))); err != nil {
		return nil, err
	}
	body := b.Bytes()
	if int64(len(body)) > e.maxMetadata {
		return nil, e.metadataTooLarge(-1)
	}
	if resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength {
		return nil, fmt.Errorf("%w: got %d bytes of a declared %d", cache.ErrVerify, len(body), resp.ContentLength)
	}
	return body, nil
}

// readDeclared reads a body of a declared length into one allocation of that
// size (and a byte, to notice a body longer than declared), buf's when it has
// room; a bytes.Buffer would grow, and copy, once it ran out of room for its
// next read.
func readDeclared(r io.Reader, head []byte, size int64, buf []byte) ([]byte, error) {
	body := buf
	if int64(cap(buf)) > size {
		body = buf[:size+1]
	} else {
		body = make([]byte, size+1)
	}
	n := copy(body, head)
	m, err := io.ReadFull(r, body[n:])
	n += m
	switch {
	case err == nil:
		return nil, fmt.Errorf("%w: more than the declared %d bytes", cache.ErrVerify, size)
	case !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF):
		return nil, err
	case int64(n) != size:
		return nil, fmt.Errorf("%w: got %d bytes of a declared %d", cache.ErrVerify, n, size)
	}
	return body[:n:n], nil
}

// mountURL is the public URL of a mount: what rewritten documents point at.
func (e *engine) mountURL(m *mount) string { return e.publicURL + "/" + m.name }

// indexSums keeps the checksum table of a document the mount's format indexes
// (formats.SumsIndexer), unless one is stored for these bytes already.
func (e *engine) indexSums(m *mount, rt formats.Route, doc cache.Digest, body []byte) error {
	ix, ok := m.format.(formats.SumsIndexer)
	if !ok || rt.Kind != formats.Metadata {
		return nil
	}
	if has, err := e.store.HasSums(doc); err != nil || has {
		return err
	}
	sums, err := ix.Sums(rt, body, e.mountURL(m))
	if err != nil {
		return err
	}
	return e.store.PutSums(doc, checksumTable(sums))
}
