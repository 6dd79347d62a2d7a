package proxy

import (
	"fmt"
	"io"
	"net/http"
	"runtime"

	"hoard/cache"
	"hoard/formats"
)

// piecedDocMin: a metadata document at least this big, of a format that gives
// its rewrite in pieces (formats.PieceRewriter), is streamed to the cache and its
// clients from those pieces rather than joined and answered from memory. The
// join would hold a second copy as large as the document; for a 20 MB packument
// that was half the fill's memory and a third of its rewrite's time.
const piecedDocMin = 1 << 20

// piecedRewriter is the PieceRewriter a fill streams rt's document through, if
// any. Formats that add headers made from the whole document
// (formats.DocumentHeaderer) are answered from memory instead.
func piecedRewriter(f formats.Format, rt formats.Route, size int64) (formats.PieceRewriter, bool) {
	pr, ok := f.(formats.PieceRewriter)
	if _, dh := f.(formats.DocumentHeaderer); dh || rt.Kind != formats.Metadata || size < piecedDocMin {
		return nil, false
	}
	return pr, ok
}

// streamPieced rewrites a document read whole into pieces and writes them to a
// temp file that waiting clients tail, as an artifact's fill does. Every byte is
// rewritten, and so checked, before the first goes out: a document that fails
// its rewrite is a clear 502, never a broken transfer.
func (e *engine) streamPieced(f *fill, spec fillSpec, resp *http.Response, body []byte, pr formats.PieceRewriter) {
	fail := func(err error) { f.end(outcomeFailed, cache.Entry{}, relayed{}, err) }
	pieces, table, err := e.rewritePieces(spec, pr, body)
	if err != nil {
		fail(fmt.Errorf("%w: %v", errBadBody, err))
		return
	}
	size := int64(0)
	for _, p := range pieces {
		size += int64(len(p))
	}
	w, err := e.store.NewWriter(cache.WriterOptions{ExpectedSize: size, Prepared: spec.temp})
	if err != nil {
		fail(err)
		return
	}
	defer w.Cancel()
	if table != nil {
		w.KeepSums(table)
	}
	f.startStreaming(w.Path(), contentTypeOf(resp, spec.route), size, 0)
	runtime.Gosched() // the clients' status lines first, as stream does
	if err := writePieces(w, pieces, f.addWritten); err != nil {
		fail(err)
		return
	}
	if !f.releaseVerified(w) {
		return
	}
	// Its clients have it all now: a request for it or its other variant (the
	// abbreviated packument) waits for the commit instead of fetching it again.
	e.fills.settle(f)
	runtime.Gosched()
	e.commitFill(f, w, resp, spec)
}

// writePieces writes pieces in order, gathered in a copy buffer so the thousands
// of small pieces a big document has cost a few writes, and reports each write
// once it is done. A piece as big as the buffer is written as it is.
func writePieces(dst io.Writer, pieces [][]byte, progress func(int)) error {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := (*bp)[:0]
	write := func(p []byte) error {
		if _, err := dst.Write(p); err != nil {
			return err
		}
		progress(len(p))
		return nil
	}
	for _, p := range pieces {
		if len(buf)+len(p) > cap(buf) && len(buf) > 0 {
			if err := write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		if len(p) >= cap(buf) {
			if err := write(p); err != nil {
				return err
			}
			continue
		}
		buf = append(buf, p...)
	}
	if len(buf) == 0 {
		return nil
	}
	return write(buf)
}
