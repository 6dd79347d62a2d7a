package proxy

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
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
// filtered bytes. Filtering runs here, on every answer, and never on what is
// cached: a minimum age lets a version through as time passes, and a reload
// changes the policy, so a filtered copy in the cache would go wrong with both.
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
	buf := &bufferedAnswer{header: http.Header{}}
	s.engine.serveRead(buf, wholeGet(r), m, docRoute)
	if buf.status != http.StatusOK {
		buf.relay(w, r)
		return true
	}
	now := s.engine.now()
	var dated map[string]time.Time // from the dating document, read once if needed
	judge := func(version string, released time.Time) policygate.Reason {
		if released.IsZero() && g.NeedsTime(name) {
			if dated == nil {
				dated = s.releaseTimes(r, m, docRoute)
				if dated == nil {
					dated = map[string]time.Time{}
				}
			}
			if released = dated[version]; released.IsZero() {
				released = s.seenTime(m, name, version, now)
			}
		}
		return g.Decide(policygate.Version{Name: name, Version: version, Time: released}, now)
	}
	out, hidden, err := vf.FilterVersions(docRoute, buf.body.Bytes(), judge)
	if err != nil {
		s.log.Warn().Err(err).Str("mount", m.name).Str("package", name).Msg("filtering metadata by policy failed")
		m.format.WriteError(w, r, http.StatusBadGateway, fmt.Errorf("the upstream's metadata for %s could not be filtered by this registry's policy", name))
		return true
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
	sum := sha256.Sum256(out)
	h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
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
}

func (b *bufferedAnswer) Header() http.Header { return b.header }

func (b *bufferedAnswer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedAnswer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
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
