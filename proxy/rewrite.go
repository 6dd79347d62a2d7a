package proxy

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"hoard/cache"
	"hoard/formats"
)

// maxMetadataSize caps a metadata document read whole for rewriting.
const maxMetadataSize = 256 << 20

// storeRewritten reads a metadata document whole, rewrites it once (URLs pointing at
// Hoard's public URL), and caches the rewritten bytes; every client is then served
// from the cache, so rewriting never happens per request.
func (e *engine) storeRewritten(f *fill, spec fillSpec, resp *http.Response, head []byte, rw formats.Rewriter) {
	fail := func(err error) { f.end(outcomeFailed, cache.Entry{}, relayed{}, err) }
	body, err := io.ReadAll(io.LimitReader(io.MultiReader(bytes.NewReader(head), resp.Body), maxMetadataSize+1))
	if err != nil {
		fail(err)
		return
	}
	if len(body) > maxMetadataSize {
		fail(fmt.Errorf("%w: metadata over %d bytes", cache.ErrTooLarge, maxMetadataSize))
		return
	}
	if resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength {
		fail(fmt.Errorf("%w: got %d bytes of a declared %d", cache.ErrVerify, len(body), resp.ContentLength))
		return
	}
	out, err := rw.Rewrite(spec.route, body, e.publicURL+"/"+spec.mount.name)
	if err != nil {
		fail(fmt.Errorf("%w: %v", errBadBody, err))
		return
	}
	w, err := e.store.NewWriter(cache.WriterOptions{ExpectedSize: int64(len(out))})
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
	e.publishWhole(f, w, resp, spec, out)
	e.commitFill(f, w, resp, spec)
}
