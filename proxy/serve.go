package proxy

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"

	"hoard/cache"
	"hoard/formats"
	"hoard/proxy/upstream"
)

// Cache results, as logged and counted.
const (
	resultHit         = "hit"
	resultMiss        = "miss"
	resultRevalidated = "revalidated"
	resultStale       = "stale"
	resultBypass      = "bypass"
	resultError       = "error"
)

// Warning headers for stale answers (RFC 7234 section 5.5).
const (
	warnStale        = `110 hoard "Response is Stale"`
	warnRevalidation = `111 hoard "Revalidation Failed"`
	warnDisconnected = `112 hoard "Disconnected Operation"`
)

// serveRead answers GET and HEAD for cacheable content: a fresh hit from the cache,
// otherwise one coalesced fill that every client tails.
func (e *engine) serveRead(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route) {
	ri := infoOf(r)
	if ri.caller.Delegated() && !e.confirmDelegated(w, r, m, rt) {
		return
	}
	key := m.cacheKey(rt.Key)
	ri.pkg, ri.key = rt.Package, key
	who := ri.caller.Key()
	entry, err := e.store.Lookup(key)
	if err != nil && e.fills.awaitSettlingFor(r.Context(), key, who) {
		entry, err = e.store.Lookup(key)
	}
	if err != nil {
		entry, err = e.importShared(r.Context(), m, rt, key, err)
	}
	hit := err == nil
	if hit && entry.Private {
		ok, miss := e.checkPrivate(w, r, m, rt, entry)
		if !ok {
			return
		}
		hit = !miss
	}
	if hit && ri.caller.StaleAccess && e.serveEntry(w, r, m, entry, resultStale, e.staleWarning()) {
		return // the upstream cannot confirm access now: it could not revalidate either
	}
	if hit && e.fresh(m, rt, entry) {
		if e.serveEntry(w, r, m, entry, resultHit, "") {
			return
		}
		// The blob vanished or failed its check and was dropped with its entry: a
		// plain miss, not a revalidation of content no longer held.
		_, err := e.store.Lookup(key)
		hit = err == nil
	}
	if e.serveAlternate(w, r, m, rt, false) {
		return
	}
	if hit && e.offline && e.serveEntry(w, r, m, entry, resultStale, warnDisconnected) {
		return
	}
	if e.offline && e.serveAlternate(w, r, m, rt, true) {
		return
	}
	if e.offline {
		e.failNotAvailable(w, r, m, msgOffline)
		return
	}
	if !hit && e.knownMissing(m, key, who) {
		setResult(r, resultHit)
		m.format.WriteError(w, r, http.StatusNotFound, errNotFound)
		return
	}
	if !hit && r.Method == http.MethodHead && !e.digestNamed(m, rt) {
		// A HEAD asks whether something exists; fetching the whole body to answer it
		// would cost the upstream a download nobody asked for.
		e.forward(w, r, m, formats.Route{Kind: formats.Passthrough, Path: rt.Path, Package: rt.Package}, false)
		return
	}
	spec := fillSpec{mount: m, route: rt, auth: m.cred.AuthFor(r), who: who}
	spec.private = m.cred.Passthrough && spec.auth != ""
	if hit {
		stale := entry // a copy: taking entry's own address would move it to the heap on every hit
		spec.stale = &stale
	}
	settling := !hit && e.fills.isSettling(key)
	f, joined := e.joinFill(key, spec)
	if joined {
		e.metrics.waiters.WithLabelValues(m.name).Inc()
	}
	if joined && settling {
		// The fill answered before this request came and is committing: what it
		// holds in memory is served like the hit it is about to be.
		e.serveFillAs(w, r, m, rt, f, spec.stale, resultHit)
		return
	}
	e.serveFill(w, r, m, rt, f, spec.stale)
}

// digestNamed: a HEAD of rt must name the digest of the content (a manifest of a
// format with a digest header), which only the body tells; it is filled like a GET
// (such documents are small) rather than forwarded with the upstream's claim.
func (e *engine) digestNamed(m *mount, rt formats.Route) bool {
	_, ok := m.format.(formats.DigestHeaderer)
	return ok && readsWhole(m.format, rt)
}

// staleWarning is the Warning of an answer the upstream could not confirm.
func (e *engine) staleWarning() string {
	if e.offline {
		return warnDisconnected
	}
	return warnRevalidation
}

// serveEntry answers from the cache, with Range, HEAD and conditional requests. It
// returns false when the blob has vanished (the entry is then dropped: a miss).
func (e *engine) serveEntry(w http.ResponseWriter, r *http.Request, m *mount, entry cache.Entry, result, warning string) bool {
	b, inMemory := e.store.ServeBytes(entry)
	var file *os.File
	if !inMemory {
		f, err := e.store.OpenBlob(entry)
		if err != nil {
			return false
		}
		defer f.Close()
		file = f
	}
	if !inMemory && e.needsFirstVerify(r, entry) {
		if plainGet(r) {
			e.store.Touch(entry.Key)
			e.serveVerifying(w, r, m, entry, file, result, warning)
			return true
		}
		if !e.verifyFile(r, m, entry, file) {
			return false // dropped: served as a miss, fetched again
		}
	}
	e.store.Touch(entry.Key)
	if inMemory {
		serveInMemory(w, r, m, entry, b, result, warning)
		return true
	}
	setEntryHeaders(w.Header(), m, entry, result, warning)
	setResult(r, result)
	modified, _ := http.ParseTime(entry.LastModified)
	http.ServeContent(w, r, "", modified, file)
	return true
}

// serveInMemory answers with content held in memory: whole in one write when that is
// all the request asks for, through http.ServeContent otherwise.
func serveInMemory(w http.ResponseWriter, r *http.Request, m *mount, entry cache.Entry, b []byte, result, warning string) {
	setEntryHeaders(w.Header(), m, entry, result, warning)
	setResult(r, result)
	if plainGet(r) {
		writeWhole(w, r, entry, b)
		return
	}
	modified, _ := http.ParseTime(entry.LastModified)
	http.ServeContent(hotWriter{w}, r, "", modified, bytes.NewReader(b))
}

// setEntryHeaders describes a cached entry. Keys are written in canonical form
// directly: this runs on every hit, and Header.Set would canonicalize each one.
func setEntryHeaders(h http.Header, m *mount, entry cache.Entry, result, warning string) {
	v := make([]string, 2) // both values in one allocation; capped so an Add cannot spill
	v[0], v[1] = entry.ContentType, `"`+entry.Digest.Hex()+`"`
	h["Content-Type"], h["Etag"] = v[0:1:1], v[1:2:2]
	h["X-Hoard-Cache"] = cacheResultValues[result]
	setContentHeaders(h, m, entry)
	if warning != "" {
		h.Add("Warning", warning)
	}
}

// cacheResultValues are the X-Hoard-Cache header values, shared read-only by
// every response (net/http copies headers before writing them, never changes them).
var cacheResultValues = map[string][]string{}

func init() {
	for _, r := range []string{resultHit, resultMiss, resultRevalidated, resultStale, resultBypass, resultError} {
		cacheResultValues[r] = []string{r}
	}
}

// conditionalHeaders make a request more than "send the whole body": those go
// through http.ServeContent, which implements Range and RFC 9110's preconditions.
var conditionalHeaders = []string{"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range"}

// plainGet: a GET or HEAD for the whole body with no preconditions.
func plainGet(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	for _, k := range conditionalHeaders {
		if _, ok := r.Header[k]; ok {
			return false
		}
	}
	return true
}

// writeWhole sends a body held in memory as a 200, with the headers
// http.ServeContent would add, in one Write: the headers and a small body then
// leave in a single syscall when the handler returns.
func writeWhole(w http.ResponseWriter, r *http.Request, entry cache.Entry, b []byte) {
	h := w.Header()
	h["Accept-Ranges"] = acceptRangesBytes
	v := make([]string, 2) // both values in one allocation; capped so an Add cannot spill
	v[0] = strconv.Itoa(len(b))
	h["Content-Length"] = v[0:1:1]
	if v[1] = httpDate(entry.LastModified); v[1] != "" {
		h["Last-Modified"] = v[1:2:2]
	}
	w.WriteHeader(http.StatusOK)
	writeCoalesced(w, r, b) // net/http drops the body of a HEAD and keeps the length
}

var acceptRangesBytes = []string{"bytes"}

// httpDate is an upstream's Last-Modified as http.ServeContent would send it:
// IMF-fixdate, or nothing when it does not parse. The stored value is usually
// already in that form, which is checked without parsing it.
func httpDate(v string) string {
	if v == "" {
		return ""
	}
	if len(v) == len(http.TimeFormat) && strings.HasSuffix(v, " GMT") {
		return v
	}
	t, err := http.ParseTime(v)
	if err != nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(http.TimeFormat)
}

// serveFill waits for a fill to start streaming and tails it. Upstream failures fall
// back to the stale entry when there is one.
func (e *engine) serveFill(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route, f *fill, stale *cache.Entry) {
	e.serveFillAs(w, r, m, rt, f, stale, resultMiss)
}

// serveFillAs is serveFill reporting a verified body held in memory as result.
func (e *engine) serveFillAs(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route, f *fill, stale *cache.Entry, result string) {
	ready := f.ready
	if r.Header.Get("Range") != "" {
		ready = f.done // a range is served from the committed blob, as a 206
	}
	select {
	case <-ready:
	case <-r.Context().Done():
		setResult(r, resultError)
		return
	}
	s := f.snapshot()
	switch {
	case s.whole != nil:
		// Verified whole: the answer does not wait for the commit, which may still
		// be running (or may even fail: the bytes are good, only caching them failed).
		f.beginWhole()
		serveInMemory(w, r, m, s.wholeEntry, s.whole, result, "")
		f.endWhole()
	case s.outcome == outcomeStored:
		// Committed before this client got here (or rewritten metadata, which is
		// stored whole): serve it like a hit, with Range and validators.
		if e.serveEntry(w, r, m, s.entry, resultMiss, "") {
			return
		}
		e.fail(w, r, m, http.StatusBadGateway, "cached content vanished after the fill")
	case s.outcome == outcomeNotModified:
		result, warning := resultRevalidated, s.relay.header.Get("Warning")
		if warning != "" {
			result = resultStale // the upstream could only confirm a stale copy of its own
		}
		if e.serveEntry(w, r, m, s.entry, result, warning) {
			return
		}
		e.fail(w, r, m, http.StatusBadGateway, "cached content vanished during revalidation")
	case s.outcome == outcomeFailed:
		if e.serveStale(w, r, m, rt, stale) {
			return
		}
		e.failFill(w, r, m, s.err)
	case s.outcome == outcomeRelayed:
		if upstreamUnwell(s.relay.status) && e.serveStale(w, r, m, rt, stale) {
			return
		}
		e.writeRelayed(w, r, m, s.relay)
	default:
		e.tailFill(w, r, m, rt, f, s)
	}
}

// serveStale answers a read the upstream failed with the stale entry, or else a
// cached variant that answers it as well (an OCI manifest of a type the client
// accepts), and reports whether it did.
func (e *engine) serveStale(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route, stale *cache.Entry) bool {
	if stale != nil && e.serveEntry(w, r, m, *stale, resultStale, warnRevalidation) {
		return true
	}
	return e.serveAlternate(w, r, m, rt, true)
}

// upstreamUnwell: answers that say the upstream cannot serve now, not that the
// content is gone.
func upstreamUnwell(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests
}

func (e *engine) writeRelayed(w http.ResponseWriter, r *http.Request, m *mount, rel relayed) {
	if e.gatewayError(w, r, m, rel.status, rel.header) {
		return
	}
	setResult(r, resultMiss)
	if rel.status == http.StatusNotFound || len(rel.body) == 0 || rel.header.Get("Content-Type") == "" {
		for k, v := range rel.header {
			if k != "Content-Type" {
				w.Header()[k] = v
			}
		}
		m.format.WriteError(w, r, rel.status, errors.New(http.StatusText(rel.status)))
		return
	}
	for k, v := range rel.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(rel.body)))
	w.WriteHeader(rel.status)
	w.Write(rel.body)
}

// tailFill streams a running (or just finished) fill to one client. If the fill
// fails after the status line went out, the connection is aborted so the client sees
// a broken transfer, never a short "complete" one.
func (e *engine) tailFill(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route, f *fill, s snapshot) {
	file, err := f.openTail(e.store)
	if err != nil {
		e.failFill(w, r, m, err)
		return
	}
	defer file.Close()
	setResult(r, resultMiss)
	h := w.Header()
	h.Set("Content-Type", s.contentType)
	h.Set("X-Hoard-Cache", resultMiss)
	setExpectedDigest(h, m, rt)
	if s.size >= 0 {
		h.Set("Content-Length", strconv.FormatInt(s.size, 10))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if err := f.tail(r.Context(), file, w); err != nil {
		if !errors.Is(err, errClientGone) {
			requestLogger(r).Warn().Err(err).Msg("fill failed while streaming; aborting the response")
			setResult(r, resultError)
		}
		panic(http.ErrAbortHandler)
	}
}

// failFill answers a fill that produced nothing: at once with statusNotAvailable
// when the breaker refused it, 507 when the cache's disk is full, 504 on a
// timeout, 502 otherwise.
func (e *engine) failFill(w http.ResponseWriter, r *http.Request, m *mount, err error) {
	requestLogger(r).Warn().Err(err).Str("mount", m.name).Str("path", r.URL.EscapedPath()).Msg("upstream fill failed")
	if errors.Is(err, upstream.ErrBreakerOpen) {
		e.failNotAvailable(w, r, m, msgBreakerNoCopy)
		return
	}
	status := http.StatusBadGateway
	switch {
	case isDiskFull(err):
		status = http.StatusInsufficientStorage
	case isTimeout(err):
		status = http.StatusGatewayTimeout
	}
	e.fail(w, r, m, status, "upstream fetch failed: "+publicReason(err))
}

func (e *engine) fail(w http.ResponseWriter, r *http.Request, m *mount, status int, msg string) {
	e.failErr(w, r, m, status, errors.New(msg))
}

// failErr answers with err, which the format may read more from than its text.
func (e *engine) failErr(w http.ResponseWriter, r *http.Request, m *mount, status int, err error) {
	setResult(r, resultError)
	m.format.WriteError(w, r, status, err)
}

// errNotFound is the answer to content known not to exist.
var errNotFound = errors.New("not found")
