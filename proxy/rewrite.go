package proxy

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"hoard/cache"
	"hoard/formats"
)

// storeRewritten reads a metadata document whole, rewrites it once (URLs pointing at
// Hoard's public URL), and caches the rewritten bytes; every client is then served
// from the cache, so rewriting never happens per request. The rewritten bytes are
// answered from memory as soon as they are verified, whatever their size, while the
// commit runs. Immutable content read whole (Route.ReadWhole), which a Rewriter
// checks but keeps byte for byte, is verified against expected, its sidecars'
// checksums, like any artifact.
func (e *engine) storeRewritten(f *fill, spec fillSpec, resp *http.Response, head []byte, rw formats.Rewriter, expected []cache.Checksum) {
	fail := func(err error) { f.end(outcomeFailed, cache.Entry{}, relayed{}, err) }
	body, err := e.readDocument(resp, head)
	if err != nil {
		fail(err)
		return
	}
	out, err := rw.Rewrite(spec.route, body, e.mountURL(spec.mount))
	if err != nil {
		fail(fmt.Errorf("%w: %v", errBadBody, err))
		return
	}
	opts := cache.WriterOptions{ExpectedSize: int64(len(out))}
	if spec.route.Kind != formats.Metadata {
		opts.Expected = expected
	}
	w, err := e.store.NewWriter(opts)
	if err != nil {
		fail(err)
		return
	}
	defer w.Cancel()
	if _, err := w.Write(out); err != nil {
		fail(err)
		return
	}
	if err := w.Verify(); err != nil {
		fail(err)
		return
	}
	if err := e.indexSums(spec.mount, spec.route, w.Digest(), out); err != nil {
		// Tarballs are then checked against a table built on their first miss.
		e.log.Warn().Err(err).Str("key", f.key).Msg("building a checksum table failed")
	}
	if dh, ok := spec.mount.format.(formats.DocumentHeaderer); ok && spec.route.Kind == formats.Metadata {
		spec.docHeader = dh.DocumentHeaders(spec.route, out)
	}
	e.publishWhole(f, w, resp, spec, out)
	e.commitFill(f, w, resp, spec)
}

// readDocument reads an upstream document whole (head is what was already read of
// it) under cache.max_metadata_size, checking its declared length.
func (e *engine) readDocument(resp *http.Response, head []byte) ([]byte, error) {
	if resp.ContentLength > e.maxMetadata {
		return nil, e.metadataTooLarge(resp.ContentLength)
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength) + 1) // one allocation, not a doubling series
	}
	buf.Write(head)
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, e.maxMetadata+1-int64(len(head)))); err != nil {
		return nil, err
	}
	body := buf.Bytes()
	if int64(len(body)) > e.maxMetadata {
		return nil, e.metadataTooLarge(-1)
	}
	if resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength {
		return nil, fmt.Errorf("%w: got %d bytes of a declared %d", cache.ErrVerify, len(body), resp.ContentLength)
	}
	return body, nil
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
	table := make(map[string]cache.Checksum, len(sums))
	for name, c := range sums {
		table[name] = cache.Checksum{Algo: c.Algo, Hex: c.Hex}
	}
	return e.store.PutSums(doc, table)
}
