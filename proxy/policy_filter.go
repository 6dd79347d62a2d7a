package proxy

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hoard/formats"
	policygate "hoard/policy/gate"
)

// hiddenHeader lists, on a filtered document, the versions the policy hid and
// why: "1.3.0 (min_age 72h0m0s), 2.0.0 (deny x@2)".
const hiddenHeader = "X-Hoard-Policy-Hidden"

// maxHiddenListed bounds the header; the rest is counted.
const maxHiddenListed = 20

// serveFiltered answers a Metadata read of a formats.VersionFilter format through
// the mount's policy. The document is served by the engine as usual (hit, fill,
// stale, alternate) into memory, whole and unconditionally, then filtered and
// answered with Range, HEAD and conditional requests judged against the
// filtered bytes. Filtering runs here, at serve time, and never on what is
// cached on disk: a minimum age lets a version through as time passes, and a
// reload changes the policy, so a filtered copy in the cache would go wrong with
// both. The filtered document is kept in memory by the document's digest and
// the policy, until the first version it hides comes of age (filterCache), and
// then the engine's copy of the document is not even read into memory.
// A checksum file of a filtered document (formats.FilteredChecksummer) is the
// digest of the filtered bytes, so a client checking one against the other
// finds them consistent. It returns false when the policy has nothing to filter
// here.
func (s *Server) serveFiltered(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route) bool {
	g := m.policy.Load()
	if g.Empty() || rt.Kind != formats.Metadata {
		return false
	}
	vf, ok := m.format.(formats.VersionFilter)
	gf, gated := m.format.(formats.Gated)
	if !ok || !gated {
		return false
	}
	docRoute, algo := rt, ""
	if fc, ok := m.format.(formats.FilteredChecksummer); ok {
		if d, a, ok := fc.FilteredChecksum(rt); ok {
			docRoute, algo = d, a
		}
	}
	name, version, ok := gf.Subject(docRoute)
	if !ok || version != "" {
		return false
	}
	buf, f := s.readFiltering(r, m, g, docRoute)
	if buf.status != http.StatusOK {
		buf.relay(w, r)
		return true
	}
	var err error
	if f == nil {
		f, err = s.filteredDoc(r, m, g, vf, docRoute, name, buf)
	}
	if err != nil {
		s.log.Warn().Err(err).Str("mount", m.name).Str("package", name).Msg("filtering metadata by policy failed")
		m.format.WriteError(w, r, http.StatusBadGateway, fmt.Errorf("the upstream's metadata for %s could not be filtered by this registry's policy", name))
		return true
	}
	out, hidden := f.out, f.hidden
	if out == nil {
		out = buf.body.Bytes()
	}
	h := w.Header()
	for k, v := range buf.header {
		switch k {
		case "Content-Length", "Etag", "Content-Range", "Accept-Ranges":
			continue
		}
		h[k] = v
	}
	if len(hidden) > 0 {
		h.Set(hiddenHeader, hiddenList(hidden))
		if algo == "" {
			for rule, n := range countRules(hidden) {
				s.metrics.policyHidden(m.name, rule, n)
			}
		}
	}
	if algo != "" {
		out = []byte(hexDigest(algo, out))
		h.Set("Content-Type", "text/plain")
	}
	etag := f.etag
	if algo != "" {
		sum := sha256.Sum256(out)
		etag = `"` + hex.EncodeToString(sum[:16]) + `"`
	}
	h.Set("ETag", etag)
	if dh, ok := m.format.(formats.DocumentHeaderer); ok && algo == "" {
		h.Del("Repr-Digest")
		for k, v := range dh.DocumentHeaders(docRoute, out) {
			h.Set(k, v) // the format's own validators (bundler checks ETag as an MD5)
		}
	}
	modified, _ := http.ParseTime(buf.header.Get("Last-Modified"))
	http.ServeContent(w, r, "", modified, bytes.NewReader(out))
	return true
}

// readFiltering reads rt's document through the engine (hit, fill, stale) into
// memory. A document served from the cache names its digest before its body:
// when its filtered form is kept, that is returned and the body not read.
func (s *Server) readFiltering(r *http.Request, m *mount, g *policygate.Gate, rt formats.Route) (*bufferedAnswer, *filtered) {
	var kept *filtered
	buf := &bufferedAnswer{header: http.Header{}}
	buf.skip = func(h http.Header) bool {
		if key, ok := ownDocKey(m, rt, h); ok {
			if f, hit := s.filters.get(key, g, s.engine.now()); hit && f.out != nil {
				kept = f
			}
		}
		return kept != nil
	}
	s.engine.serveRead(buf, wholeGet(r), m, rt)
	return buf, kept
}

// filteredDoc is the document buf holds as the gate g serves it, filtered now
// or kept from an earlier answer (see filterCache).
func (s *Server) filteredDoc(r *http.Request, m *mount, g *policygate.Gate, vf formats.VersionFilter, rt formats.Route, name string, buf *bufferedAnswer) (*filtered, error) {
	doc := buf.body.Bytes()
	key := filterKey(m, rt, buf.header, doc)
	if f, ok := s.filters.get(key, g, s.engine.now()); ok {
		return f, nil
	}
	out, hidden, judged, err := s.filterDoc(r, m, g, vf, rt, name, doc)
	if err != nil {
		return nil, err
	}
	f := &filtered{gate: g, hidden: hidden, until: expiry(hidden, judged, g.MinAge(), s.engine.now())}
	if len(hidden) > 0 {
		f.out = out
	}
	sum := sha256.Sum256(out)
	f.etag = `"` + hex.EncodeToString(sum[:16]) + `"`
	s.filters.put(key, f)
	return f, nil
}

// filterDoc filters doc, the package name's metadata, through the gate g.
// It returns, with the filtered document, what was judged of each version.
func (s *Server) filterDoc(r *http.Request, m *mount, g *policygate.Gate, vf formats.VersionFilter, rt formats.Route, name string, doc []byte) ([]byte, []formats.Hidden, map[string]policygate.Version, error) {
	d := s.newDater(r, m, rt, name)
	_, tagged := m.format.(formats.TagResolver)
	needsTime := g.NeedsTime(name) && !tagged // a tag's age is judged as it resolves
	if _, byFile := m.format.(formats.VersionDater); byFile && needsTime {
		// A first pass lists the versions, so that those dated by a file of
		// their own are dated in parallel.
		var listed []string
		vf.FilterVersions(rt, doc, func(v string, released time.Time) policygate.Reason {
			if released.IsZero() {
				listed = append(listed, v)
			}
			return policygate.Reason{}
		})
		d.prefetch(listed)
	}
	var newestKept time.Time
	judged := map[string]policygate.Version{}
	judge := func(version string, released time.Time) policygate.Reason {
		v := policygate.Version{Name: name, Version: version, Time: released}
		if needsTime {
			v = d.version(version, released)
		}
		judged[version] = v
		reason := g.Decide(v, d.now)
		if !reason.Refused() && v.Time.After(newestKept) {
			newestKept = v.Time
		}
		return reason
	}
	out, hidden, err := vf.FilterVersions(rt, doc, judge)
	if lu, ok := vf.(formats.LastUpdater); ok && err == nil && len(hidden) > 0 && needsTime && !newestKept.IsZero() {
		out = lu.SetLastUpdated(out, newestKept)
	}
	return out, hidden, judged, err
}

// hexDigest is the lower-case hex digest of b by a checksum file's algorithm.
func hexDigest(algo string, b []byte) string {
	var h hash.Hash
	switch algo {
	case "md5":
		h = md5.New()
	case "sha1":
		h = sha1.New()
	case "sha512":
		h = sha512.New()
	default:
		h = sha256.New()
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// wholeGet is r as a plain GET of the whole document: the engine's answer is
// filtered before Range, HEAD or a validator is applied to it.
func wholeGet(r *http.Request) *http.Request {
	c := r.Clone(r.Context())
	c.Method = http.MethodGet
	for _, k := range []string{"Range", "If-Range", "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since"} {
		c.Header.Del(k)
	}
	return c
}

// sideGet is wholeGet for a read made on the side of r's answer (a document or
// file that dates versions): it carries r's caller and request id but reports
// its own result, so that it neither races another side read nor overwrites
// the result r's answer is logged and counted with.
func sideGet(r *http.Request) *http.Request {
	c := wholeGet(r)
	ri := *infoOf(r)
	ri.log = nil
	return c.WithContext(context.WithValue(c.Context(), ctxKey{}, &ri))
}

func hiddenList(hidden []formats.Hidden) string {
	var parts []string
	for i, h := range hidden {
		if i == maxHiddenListed {
			parts = append(parts, fmt.Sprintf("and %d more", len(hidden)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", h.Version, h.Reason))
	}
	return strings.Join(parts, ", ")
}

func countRules(hidden []formats.Hidden) map[string]int {
	out := map[string]int{}
	for _, h := range hidden {
		out[h.Reason.Rule]++
	}
	return out
}

// bufferedAnswer holds an answer in memory. Metadata is bounded by
// cache.max_metadata_size, which the engine enforces on every fill.
type bufferedAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
	// skip, when set, is asked at a 200's header whether the body is wanted;
	// true discards it.
	skip     func(http.Header) bool
	skipping bool
}

func (b *bufferedAnswer) Header() http.Header { return b.header }

func (b *bufferedAnswer) WriteHeader(status int) {
	if b.status != 0 {
		return
	}
	b.status = status
	if status != http.StatusOK {
		return
	}
	if b.skip != nil && b.skip(b.header) {
		b.skipping = true
		return
	}
	// The body is read whole: room for all of it at once, not by doubling.
	if n, err := strconv.Atoi(b.header.Get("Content-Length")); err == nil && n > 0 && n <= maxBufferedGrow {
		b.body.Grow(n)
	}
}

// maxBufferedGrow caps the room taken ahead on an upstream's word.
const maxBufferedGrow = 256 << 20

func (b *bufferedAnswer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.WriteHeader(http.StatusOK)
	}
	if b.skipping {
		return len(p), nil
	}
	return b.body.Write(p)
}

// relay sends a buffered answer on as it is (an error, a 404).
func (b *bufferedAnswer) relay(w http.ResponseWriter, r *http.Request) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	if r.Method != http.MethodHead {
		w.Write(b.body.Bytes())
	}
}
