package proxy

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"hoard/cache"
	"hoard/formats"
	"hoard/proxy/upstream"
)

// forwardBuffered serves the two forwards that need a whole body in memory: a publish
// whose body the format checks before anything goes upstream (Route.ParseBody: npm's
// JSON with base64 tarballs), and a passthrough whose answer the format rewrites
// (formats.PassthroughRewriter: rewrite). Only after the upstream accepted a publish are the
// attachments it carried cached and the route's keys invalidated.
func (e *engine) forwardBuffered(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route, u *upstream.Upstream, rewrite bool) {
	var body io.Reader
	var atts []formats.Attachment
	if rt.ParseBody {
		b, status, msg := e.readBody(r)
		if status != 0 {
			e.fail(w, r, m, status, msg)
			return
		}
		if pp, ok := m.format.(formats.PublishParser); ok {
			var err error
			if atts, err = pp.ParsePublish(rt, b); err != nil {
				e.failErr(w, r, m, http.StatusBadRequest, err)
				return
			}
		}
		if bi, ok := m.format.(formats.BodyInvalidator); ok {
			rt.Invalidate = append(rt.Invalidate[:len(rt.Invalidate):len(rt.Invalidate)], bi.BodyInvalidates(rt, b)...)
		}
		body, r.ContentLength = bytes.NewReader(b), int64(len(b))
	} else if r.Body != nil && r.Body != http.NoBody && r.Method != http.MethodGet && r.Method != http.MethodHead {
		body = r.Body
	}
	if rewrite {
		// The answer is rewritten, so it must arrive as plain bytes.
		r.Header.Del("Accept-Encoding")
	}
	resp, err := e.sendUpstream(r, m, u, rt, body)
	if err != nil {
		e.failFill(w, r, m, err)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		e.afterSuccess(r, m, withAttachmentKeys(rt, atts), nil)
		e.cacheAttachments(r, m, rt, u, atts)
		for _, a := range atts {
			if a.Change != nil {
				e.expireChange([]*mount{m}, *a.Change)
			}
		}
	}
	e.audit(r, m, rt, resp.StatusCode)
	if rewrite && resp.StatusCode == http.StatusOK && r.Method != http.MethodHead {
		e.relayRewritten(w, r, m, rt, resp)
		return
	}
	copyEndToEnd(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// withAttachmentKeys is rt invalidating also what its attachments name
// (formats.Attachment.Invalidate).
func withAttachmentKeys(rt formats.Route, atts []formats.Attachment) formats.Route {
	for _, a := range atts {
		if len(a.Invalidate) > 0 {
			rt.Invalidate = append(append([]string(nil), rt.Invalidate...), a.Invalidate...)
		}
	}
	return rt
}

// readBody reads a request body whole, up to cache.max_metadata_size (and the
// artifact size limit). A non-zero status is the answer to give instead.
func (e *engine) readBody(r *http.Request) ([]byte, int, string) {
	over := &overLimit{what: "request body", setting: "cache.max_metadata_size", limit: e.maxMetadata, size: -1}
	if e.maxSize > 0 && e.maxSize < over.limit {
		over.setting, over.limit = "cache.max_artifact_size", e.maxSize
	}
	limit := over.limit
	if r.ContentLength > limit {
		over.size = r.ContentLength
		return nil, http.StatusRequestEntityTooLarge, over.Error()
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, http.StatusBadRequest, "request has no body"
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	switch {
	case err != nil:
		return nil, http.StatusBadRequest, "request body ended early or could not be read"
	case int64(len(b)) > limit:
		return nil, http.StatusRequestEntityTooLarge, over.Error()
	}
	return b, 0, ""
}

// cacheAttachments writes what a publish carried, each verified again on its way in.
// A failure costs only a later fill from the upstream, so it is logged, not answered.
func (e *engine) cacheAttachments(r *http.Request, m *mount, rt formats.Route, u *upstream.Upstream, atts []formats.Attachment) {
	private := m.cred.Passthrough && m.cred.AuthFor(r) != ""
	source := privateSource(fillSpec{mount: m, route: rt, private: private, source: u.Base.String()})
	for _, a := range atts {
		key := m.cacheKey(a.Key)
		if err := e.storeAttachment(key, a, private, source); err != nil {
			requestLogger(r).Warn().Err(err).Str("key", key).Msg("caching published attachment")
			continue
		}
		if e.negative != nil {
			e.negative.Remove(key)
		}
	}
}

func (e *engine) storeAttachment(key string, a formats.Attachment, private bool, source string) error {
	var expected []cache.Checksum
	for _, c := range a.Expect {
		expected = append(expected, cache.Checksum{Algo: c.Algo, Hex: c.Hex})
	}
	w, err := e.store.NewWriter(cache.WriterOptions{ExpectedSize: int64(len(a.Data)), Expected: expected, MaxSize: e.maxSize})
	if err != nil {
		return err
	}
	defer w.Cancel()
	if _, err := w.Write(a.Data); err != nil {
		return err
	}
	_, err = w.Commit(key, cache.Entry{ContentType: a.ContentType, FetchedAt: e.now(), Private: private, Source: source})
	return err
}

// relayRewritten passes a 200 on with its body rewritten by the format; a body the
// format cannot read is relayed as it came.
func (e *engine) relayRewritten(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route, resp *http.Response) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, e.maxMetadata+1))
	if err == nil && int64(len(body)) > e.maxMetadata {
		err = e.metadataTooLarge(-1)
	}
	if err != nil {
		e.failFill(w, r, m, err)
		return
	}
	if rw, ok := m.format.(formats.Rewriter); ok && resp.Header.Get("Content-Encoding") == "" {
		out, rerr := rw.Rewrite(rt, body, e.publicURL+"/"+m.name)
		if rerr == nil {
			body = out
		} else {
			requestLogger(r).Debug().Err(rerr).Msg("relaying a body the format could not rewrite")
		}
	}
	copyEndToEnd(w.Header(), resp.Header)
	for _, h := range []string{"Content-Length", "ETag", "Content-Md5", "Last-Modified"} {
		w.Header().Del(h)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
}
