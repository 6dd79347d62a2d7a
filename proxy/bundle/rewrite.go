package bundle

import (
	"fmt"

	"hoard/cache"
	"hoard/formats"
)

// maxRewrite bounds a document read whole to be rewritten (cache.max_metadata_size's
// default; the largest public packuments are about 25 MB).
const maxRewrite = 256 << 20

// rewriter is how an entry's document is pointed at this site: a format's Rewriter
// and the route of the entry's key.
func (o ImportOptions) rewriter(e Entry) (formats.Rewriter, formats.Route, bool) {
	if o.PublicURL == "" || o.Formats == nil {
		return nil, formats.Route{}, false
	}
	f := o.Formats[e.Format]
	rw, ok := f.(formats.Rewriter)
	kr, ok2 := f.(formats.KeyRouter)
	if !ok || !ok2 {
		return nil, formats.Route{}, false
	}
	rt, ok := kr.RouteKey(e.Key)
	if !ok {
		return nil, formats.Route{}, false
	}
	return rw, rt, true
}

// publish links e's verified blob under its key or, for a document that names the
// exporting side's public URL, stores the document rewritten for this site's; it
// reports whether it rewrote.
func publish(store *cache.Store, o ImportOptions, e Entry) (bool, error) {
	rw, rt, ok := o.rewriter(e)
	if !ok {
		return false, store.Link(e.CacheKey(), e.CacheEntry())
	}
	ce := e.CacheEntry()
	body, err := store.ReadWhole(ce, maxRewrite)
	if err != nil {
		return false, err
	}
	out, err := rw.Rewrite(rt, body, o.PublicURL+"/"+e.Mount)
	if err != nil {
		return false, fmt.Errorf("rewriting for this site: %w", err)
	}
	if string(out) == string(body) {
		return false, store.Link(e.CacheKey(), ce)
	}
	w, err := store.NewWriter(cache.WriterOptions{ExpectedSize: int64(len(out))})
	if err != nil {
		return false, err
	}
	defer w.Cancel()
	if _, err := w.Write(out); err != nil {
		return false, err
	}
	_, err = w.Commit(e.CacheKey(), ce)
	return true, err
}
