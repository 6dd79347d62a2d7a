package proxy

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"io"
	"net/http"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"hoard/proxy/admission"
)

// reqInfo travels with a request so handlers can report what they did to the
// middleware that logs and counts it.
type reqInfo struct {
	mount  string
	format string
	result string
	// pkg and key name the package and cache key a cacheable read was about, for
	// the per-package usage counts.
	pkg    string
	key    string
	caller admission.Caller
	id     string
	base   *zerolog.Logger
	log    *zerolog.Logger // made on first use: most requests log only their access line
}

type ctxKey struct{}

func infoOf(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(ctxKey{}).(*reqInfo); ok {
		return ri
	}
	nop := zerolog.Nop()
	return &reqInfo{base: &nop}
}

func setResult(r *http.Request, result string) { infoOf(r).result = result }

// requestLogger is the request's logger, carrying its request id.
func requestLogger(r *http.Request) *zerolog.Logger { return infoOf(r).logger() }

func (ri *reqInfo) logger() *zerolog.Logger {
	if ri.log == nil {
		l := ri.base.With().Str("request_id", ri.id).Logger()
		ri.log = &l
	}
	return ri.log
}

// countingWriter records the status and bytes sent. It passes ReadFrom through so
// sendfile still copies cached files.
type countingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	ri     *reqInfo // names the result for X-Hoard-Cache
}

func (c *countingWriter) WriteHeader(s int) {
	if c.status == 0 {
		c.status = s
		c.stampCacheResult(s)
	}
	c.ResponseWriter.WriteHeader(s)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
		c.stampCacheResult(http.StatusOK)
	}
	n, err := c.ResponseWriter.Write(p)
	c.bytes += int64(n)
	return n, err
}

func (c *countingWriter) ReadFrom(r io.Reader) (int64, error) {
	if c.status == 0 {
		c.status = http.StatusOK
		c.stampCacheResult(http.StatusOK)
	}
	var n int64
	var err error
	if rf, ok := c.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(c.ResponseWriter, r)
	}
	c.bytes += n
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// statusOf is the status already sent through w, found in the countingWriter under
// whatever writers wrap it; 0 if none was.
func statusOf(w http.ResponseWriter) int {
	for {
		switch x := w.(type) {
		case *countingWriter:
			return x.status
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return 0
		}
	}
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestIDs names the requests of one server that came without an id: 16 hex
// digits, unique within the server and unlikely to repeat across restarts. It runs
// on every such request, so it mixes a counter from a random start (splitmix64, a
// bijection: distinct counts give distinct ids) instead of reading crypto/rand.
// Ids correlate log lines; they are not secrets. The zero value works, from zero.
type requestIDs struct{ n atomic.Uint64 }

// seed starts the counter at a random point.
func (ids *requestIDs) seed() {
	var seed [8]byte
	rand.Read(seed[:])
	ids.n.Store(binary.LittleEndian.Uint64(seed[:]))
}

// next is a new id.
func (ids *requestIDs) next() string {
	x := ids.n.Add(0x9e3779b97f4a7c15)
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	x ^= x >> 31
	var b [16]byte
	const digits = "0123456789abcdef"
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = digits[x&15]
		x >>= 4
	}
	return string(b[:])
}

// exchange is what observe keeps for one request, allocated at once: this runs
// on every request, hits included.
type exchange struct {
	cw      countingWriter
	ri      reqInfo
	idValue [1]string // the X-Request-Id header's value
}

// observe wraps every request: request id, one log line, metrics, and panic recovery.
// Credentials never reach the log: only method, path, status, size, time and result.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || !validRequestID.MatchString(id) {
			id = s.ids.next()
		}
		ex := &exchange{cw: countingWriter{ResponseWriter: w}, ri: reqInfo{id: id, base: &s.log}, idValue: [1]string{id}}
		w.Header()["X-Request-Id"] = ex.idValue[:]
		ri, cw := &ex.ri, &ex.cw
		cw.ri = ri
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, ri))
		defer func() {
			p := recover()
			if p != nil && p != http.ErrAbortHandler {
				ri.logger().Error().Interface("panic", p).Msg("handler panicked")
				if cw.status == 0 {
					http.Error(cw, "internal error", http.StatusInternalServerError)
				}
				ri.result = resultError
			}
			s.record(r, ri, cw, time.Since(start))
			if p == http.ErrAbortHandler {
				panic(p) // let net/http cut the connection: the client must see a broken transfer
			}
		}()
		next.ServeHTTP(cw, r)
	})
}

func (s *Server) record(r *http.Request, ri *reqInfo, cw *countingWriter, took time.Duration) {
	if ri.mount != "" {
		result := ri.result
		if result == "" {
			result = resultBypass
		}
		s.metrics.served(ri.mount, ri.format, result, cw.bytes)
		s.metrics.used(r, ri, cw)
	}
	s.access.Info().Str("request_id", ri.id).Str("method", r.Method).Str("path", r.URL.EscapedPath()).Int("status", cw.status).
		Int64("bytes", cw.bytes).Float64("took_ms", ms(took)).Str("mount", ri.mount).Str("result", ri.result).
		Str("client", admission.ClientAddr(r)).Str("user_agent", r.UserAgent()).Msg("request")
}
