package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"runtime"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/formats"
	"hoard/proxy/admission"
	"hoard/proxy/upstream"
)

// maxRelayBody caps an upstream error body passed on to clients.
const maxRelayBody = 64 << 10

// engine is the pull-through core: one fill per key, verified bytes, stale on failure.
type engine struct {
	store       *cache.Store
	fills       fillGroup
	running     inflight                       // fills in flight, waited for at shutdown
	negative    *expirable.LRU[string, string] // upstream 404s: key -> whose (negative.go)
	access      *admission.Access              // who may read private content (private.go)
	offline     bool
	fillTimeout time.Duration
	maxSize     int64  // cache.max_artifact_size; 0 is no limit
	maxMetadata int64  // cache.max_metadata_size: documents read whole
	publicURL   string // rewritten metadata points here, never at a request's Host
	metrics     *metrics
	log         zerolog.Logger
	now         func() time.Time
	shared      SharedTier             // nil: this node's disk only (shared.go)
	sharedHits  *prometheus.CounterVec // misses the shared tier answered

	pendingSums pendingSums // checksum tables of documents being committed (whole.go)
	warm        warmBuffers // touched buffers rewritten documents are joined in
	// beforeCommit, when set, runs once a fill's clients have every verified byte
	// and before its commit: a test's hold on that window (commitpause.go).
	beforeCommit func(key string)
}

// fillSpec is what a fill needs to know, captured from the request that started it.
type fillSpec struct {
	mount *mount
	route formats.Route
	auth  string       // the caller's credentials, sent to the mount's upstream only
	stale *cache.Entry // the entry being revalidated, if any
	// private: the fill uses the caller's own credentials, so what it stores is
	// private content; who names that caller (admission.Caller.Key).
	private bool
	who     string
	// sidecars are the route's checksum documents, listed once per fill by runFill.
	sidecars []formats.Sidecar
	source   string    // base URL of the upstream that answered the fill
	began    time.Time // when the fill started (engine clock), set by runFill
	// docHeader are the headers a document read whole is stored with (see
	// formats.DocumentHeaderer), set once its bytes are known.
	docHeader map[string]string
	// temp is the miss's temp file, created while its upstream request is in
	// flight (see cache.Prepared); nil for a revalidation.
	temp *cache.Prepared
}

// startFill joins the fill for key, starting it if none is in flight. The fill runs on
// its own context, detached from any one client, under the fill timeout.
func (e *engine) startFill(key string, spec fillSpec) *fill {
	f, _ := e.joinFill(key, spec)
	return f
}

// joinFill is startFill that also reports whether the fill was already in flight.
func (e *engine) joinFill(key string, spec fillSpec) (*fill, bool) {
	f, leader := e.fills.join(key, spec.who)
	if !leader {
		return f, true
	}
	e.running.add()
	go func() {
		defer e.running.done()
		ctx, cancel := context.WithTimeout(context.Background(), e.fillTimeout)
		defer cancel()
		defer f.leave() // a fill that ended without publishing (it cannot, but be safe)
		e.runFill(ctx, f, spec)
	}()
	return f, false
}

func (e *engine) runFill(ctx context.Context, f *fill, spec fillSpec) {
	// A fill that panics must still release its waiters.
	defer func() {
		if p := recover(); p != nil {
			e.log.Error().Str("key", f.key).Interface("panic", p).Msg("fill panicked")
			f.end(outcomeFailed, cache.Entry{}, relayed{}, errors.New("internal error"))
		}
	}()
	spec.sidecars = sidecarsOf(spec.mount, spec.route)
	spec.began = e.now()
	e.logFillStart(f.key, spec)
	release, done := e.claimShared(ctx, f, spec)
	if done {
		return // another node filled it meanwhile: imported from the shared tier
	}
	defer release()
	if spec.stale == nil { // a revalidation prepares none: most end in a 304
		spec.temp = e.store.Prepare()
		defer spec.temp.Discard()
		ctx = startOnceSent(ctx, spec.temp)
	}
	e.prefetchChecksum(ctx, spec)
	resp, src, err := e.fetch(ctx, spec)
	e.logUpstreamAnswer(f.key, spec, resp, src, err)
	if err != nil {
		f.end(outcomeFailed, cache.Entry{}, relayed{}, err)
		return
	}
	spec.source = src
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && spec.stale != nil:
		e.refreshed(f, spec, resp)
	case resp.StatusCode == http.StatusOK:
		if err := e.decodeBody(spec, resp); err != nil {
			f.end(outcomeFailed, cache.Entry{}, relayed{}, err)
			return
		}
		expected, err := e.expectedChecksums(ctx, spec)
		if err != nil {
			f.end(outcomeFailed, cache.Entry{}, relayed{}, err)
			return
		}
		e.stream(ctx, f, spec, resp, expected)
	default:
		e.relayStatus(f, spec, resp)
	}
}

// startOnceSent has a miss's temp file created once its first upstream request
// is sent: the fill waits for the answer then, and the file is no longer made
// on its clients' path.
func startOnceSent(ctx context.Context, temp *cache.Prepared) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { temp.Start() },
	})
}

// fetch asks the mount's upstreams in order, trying the next on 404 where the format
// allows, and returns the first other answer and the base URL of the upstream that
// gave it.
func (e *engine) fetch(ctx context.Context, spec fillSpec) (*http.Response, string, error) {
	ups := spec.mount.candidates(spec.route.Package)
	if len(ups) == 0 {
		return nil, "", errNoUpstream
	}
	if len(spec.sidecars) == 0 {
		ctx = upstream.OnLeafPool(ctx) // see poolTransport
	}
	ctx = upstream.WithHeaderBudget(ctx) // a revalidating HEAD and the GET share it
	var resp *http.Response
	var source string
	for i, u := range ups {
		req, err := upstream.NewRequest(ctx, http.MethodGet, u.URL(spec.route.Path, ""), spec.auth, nil)
		if err != nil {
			return nil, "", err
		}
		for k, v := range spec.route.UpstreamHeader {
			req.Header[k] = v
		}
		if s := spec.stale; s != nil {
			if revalidateHead(spec) != "" {
				if r, done, err := e.revalidateHead(req, spec, u); done || err != nil {
					return r, u.Base.String(), err
				}
			}
			setValidators(req.Header, *s)
		}
		start := e.now()
		resp, err = u.Do(req)
		e.metrics.upstreamDone(spec.mount.name, resp, err, e.now().Sub(start))
		e.metrics.countUpstream(resp, spec.mount.name, spec.mount.format.Name())
		if err != nil {
			return nil, "", err
		}
		source = u.Base.String()
		if resp.StatusCode != http.StatusNotFound || i == len(ups)-1 {
			break
		}
		resp.Body.Close()
	}
	return resp, source, nil
}

func setValidators(h http.Header, e cache.Entry) {
	if e.ETag != "" {
		h.Set("If-None-Match", e.ETag)
	}
	if e.LastModified != "" {
		h.Set("If-Modified-Since", e.LastModified)
	}
}

func (e *engine) refreshed(f *fill, spec fillSpec, resp *http.Response) {
	entry := *spec.stale
	if w := upstreamStale(resp.Header); w != "" {
		// Another Hoard (or any cache) confirmed only its own stale copy: ours
		// stays as stale as that, so the next request asks again, and this one is
		// answered stale with the upstream's Warning.
		f.end(outcomeNotModified, entry, relayed{header: http.Header{"Warning": {w}}}, nil)
		return
	}
	entry.FetchedAt = e.now()
	if v := resp.Header.Get("ETag"); v != "" {
		entry.ETag = v
	}
	if v := resp.Header.Get("Last-Modified"); v != "" {
		entry.LastModified = v
	}
	if err := e.store.Refresh(f.key, entry.FetchedAt, entry.ETag, entry.LastModified); err != nil {
		e.log.Warn().Err(err).Str("key", f.key).Msg("refreshing entry")
	}
	f.end(outcomeNotModified, entry, relayed{}, nil)
}

// relayStatus passes a non-200 answer on without caching it; a 404 is remembered.
func (e *engine) relayStatus(f *fill, spec fillSpec, resp *http.Response) {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxRelayBody))
	h := http.Header{}
	for _, k := range []string{"Content-Type", "WWW-Authenticate", "Retry-After"} {
		if v := resp.Header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	if resp.StatusCode == http.StatusNotFound {
		e.rememberMissing(f.key, spec)
	}
	f.end(outcomeRelayed, cache.Entry{}, relayed{status: resp.StatusCode, header: h, body: body}, nil)
}

// errBadBody marks an upstream body that is not the content asked for.
var errBadBody = errors.New("upstream sent a body that is not the requested content")

// errNoUpstream: no configured upstream serves the package.
var errNoUpstream = errors.New("no upstream is configured for this package")

// stream writes the upstream body to a temp file that waiting clients tail, verifies
// its size and checksums, and commits it. On any failure the temp file is removed and
// nothing is indexed.
func (e *engine) stream(ctx context.Context, f *fill, spec fillSpec, resp *http.Response, expected []cache.Checksum) {
	fail := func(err error) { f.end(outcomeFailed, cache.Entry{}, relayed{}, err) }
	limit, _ := e.artifactLimit(spec.mount)
	if limit > 0 && resp.ContentLength > limit {
		fail(e.artifactTooLarge(spec.mount, resp.ContentLength))
		return
	}
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	head := (*bp)[:wholeBodyLimit]
	var n int
	var err error
	if resp.ContentLength > wholeBodyLimit {
		// Declared large: it is streamed whatever happens, so its first bytes go
		// out as they arrive; only what CheckBody looks at is waited for.
		n, err = io.ReadAtLeast(resp.Body, head, sniffLen)
	} else {
		n, err = io.ReadFull(resp.Body, head)
	}
	complete := errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	if err != nil && !complete {
		fail(err)
		return
	}
	if err := spec.mount.format.CheckBody(spec.route, resp.Header, head[:min(n, sniffLen)]); err != nil {
		fail(fmt.Errorf("%w: %v", errBadBody, err))
		return
	}
	if rw, ok := spec.mount.format.(formats.Rewriter); ok && (spec.route.Kind == formats.Metadata || readsWhole(spec.mount.format, spec.route)) {
		e.storeRewritten(f, spec, resp, head[:n], rw, expected)
		return
	}
	if complete {
		// A small body is verified before any client sees a status line, so a bad
		// one is a clear 502 rather than a broken transfer; answered, it is stored.
		if limit > 0 && int64(n) > limit {
			fail(e.artifactTooLarge(spec.mount, int64(n)))
			return
		}
		if err := verifyWhole(head[:n], resp.ContentLength, expected); err != nil {
			fail(err)
			return
		}
		e.answerThenStore(f, resp, spec, bytes.Clone(head[:n]), limit, expected, nil)
		return
	}
	w, err := e.store.NewWriter(cache.WriterOptions{ExpectedSize: resp.ContentLength, Expected: expected, MaxSize: limit, Prepared: spec.temp})
	if err != nil {
		fail(err)
		return
	}
	defer w.Cancel()
	if _, err := w.Write(head[:n]); err != nil {
		fail(err)
		return
	}
	f.startStreaming(w.Path(), contentTypeOf(resp, spec.route), resp.ContentLength, int64(n))
	// The waiting clients were just woken for their status line and first
	// bytes; let them send those before the copy loop takes the CPU. From an
	// upstream at full speed the loop never blocks on its socket, and on one
	// CPU (GOMAXPROCS=1, a server pinned to a core) they would otherwise wait
	// for the scheduler's preemption, 10 ms.
	runtime.Gosched()
	if err := copyCounting(w, resp.Body, f.addWritten); err != nil {
		if errors.Is(err, cache.ErrTooLarge) {
			err = e.artifactTooLarge(spec.mount, -1)
		}
		fail(err)
		return
	}
	if !f.releaseVerified(w) {
		return
	}
	// The tailing clients were just woken for their last bytes; let them send
	// those before the commit takes the CPU (on one CPU, a commit that hashes
	// would otherwise hold them until the scheduler preempts it).
	runtime.Gosched()
	e.commitFill(f, w, resp, spec)
}

// commitFill indexes what a fill wrote, described by the upstream's response, and
// lets the caller whose credentials fetched it read it.
func (e *engine) commitFill(f *fill, w *cache.Writer, resp *http.Response, spec fillSpec) {
	if e.beforeCommit != nil {
		e.beforeCommit(f.key)
	}
	f.commit(func() (cache.Entry, error) {
		return w.Commit(f.key, e.entryFor(resp, spec))
	})
	e.grantFiller(spec)
	e.publishShared(f, spec)
}

// entryFor describes a fill's content as it is indexed (the store adds the key,
// digest and size).
func (e *engine) entryFor(resp *http.Response, spec fillSpec) cache.Entry {
	return withUpstreamAge(resp, spec, cache.Entry{
		ContentType:  contentTypeOf(resp, spec.route),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		FetchedAt:    e.now(),
		Mutable:      spec.route.Kind == formats.Metadata,
		Private:      spec.private,
		Source:       privateSource(spec),
		Header:       withDocHeaders(keptHeaders(resp.Header, keepHeaders(spec)), spec.docHeader),
	})
}

func contentTypeOf(resp *http.Response, rt formats.Route) string {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return rt.ContentType
}

// sniffLen is how much of a body CheckBody is shown (as http.DetectContentType reads).
const sniffLen = 512

// wholeBodyLimit: a body that ends within this many bytes is read whole and verified
// before clients are answered; longer ones are streamed as they arrive.
const wholeBodyLimit = 64 << 10

// copyBuffers recycles fill buffers: large enough for few syscalls on big blobs,
// and pooled so a burst of small misses does not allocate one per fill.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// copyCounting copies in chunks, reporting each chunk once it is on disk.
func copyCounting(dst io.Writer, src io.Reader, progress func(int)) error {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return werr
			}
			progress(n)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
