package proxy

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"hoard/formats"
	policygate "hoard/policy/gate"
)

// filteredMemory bounds the filtered documents kept in memory. The largest
// packuments (about 21 MB) filter in hundreds of milliseconds and allocate
// several times their size; a few kept spare every answer but the first that.
const filteredMemory = 64 << 20

// undatedRetry is how long a document that hid a version for want of a release
// time is reused before the dating is tried again.
const undatedRetry = time.Minute

// filtered is one document as the policy serves it.
type filtered struct {
	gate   *policygate.Gate // the policy it was filtered by; a reload makes a new one
	out    []byte           // nil: the document as it is, nothing hidden
	etag   string
	hidden []formats.Hidden
	until  time.Time // zero: as long as the document and the policy last
	size   int64
}

// filterCache keeps filtered documents by mount, route and document digest,
// each valid until the first version it hides for its age comes of age, and
// bounded in bytes (least recently used first out).
type filterCache struct {
	mu    sync.Mutex
	lru   *lru.Cache[string, *filtered]
	bytes int64
	limit int64
}

func newFilterCache(limit int64) *filterCache {
	c := &filterCache{limit: limit}
	// The count bound is never the binding one: bytes are.
	c.lru, _ = lru.NewWithEvict[string, *filtered](1<<16, func(_ string, f *filtered) { c.bytes -= f.size })
	return c
}

func (c *filterCache) get(key string, g *policygate.Gate, now time.Time) (*filtered, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.lru.Get(key)
	if !ok {
		return nil, false
	}
	if f.gate != g || (!f.until.IsZero() && !now.Before(f.until)) {
		c.lru.Remove(key)
		return nil, false
	}
	return f, true
}

func (c *filterCache) put(key string, f *filtered) {
	f.size = int64(len(f.out) + len(key) + 256)
	if f.size > c.limit/2 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Add(key, f)
	c.bytes += f.size
	for c.bytes > c.limit {
		if _, _, ok := c.lru.RemoveOldest(); !ok {
			break
		}
	}
}

// cacheHeader is set on an answer the engine served from a cache entry.
const cacheHeader = "X-Hoard-Cache"

// ownETag matches the ETag Hoard gives a cached entry: its content digest.
var ownETag = regexp.MustCompile(`^"[0-9a-f]{64}"$`)

// filterKey names doc, as read from rt of m, by its content: the entry's own
// digest when the engine served it from the cache, a hash of it otherwise.
func filterKey(m *mount, rt formats.Route, header http.Header, doc []byte) string {
	if key, ok := ownDocKey(m, rt, header); ok {
		return key
	}
	sum := sha256.Sum256(doc)
	return m.name + "\x00" + rt.Key + "\x00\"" + hex.EncodeToString(sum[:]) + "\""
}

// ownDocKey is filterKey of a document the engine served from a cache entry,
// known from its header alone.
func ownDocKey(m *mount, rt formats.Route, header http.Header) (string, bool) {
	id := header.Get("Etag")
	if header.Get(cacheHeader) == "" || !ownETag.MatchString(id) {
		return "", false
	}
	return m.name + "\x00" + rt.Key + "\x00" + id, true
}

// expiry is when a document filtered at now with these hidden versions must be
// filtered again: when the first version hidden by min_age comes of age, or
// soon when one was hidden for want of a release time. Deny, allow and freeze
// never change their verdict while the policy lasts.
func expiry(hidden []formats.Hidden, released map[string]policygate.Version, minAge time.Duration, now time.Time) time.Time {
	var until time.Time
	earlier := func(t time.Time) {
		if until.IsZero() || t.Before(until) {
			until = t
		}
	}
	for _, h := range hidden {
		if h.Reason.Rule != "min_age" && h.Reason.Rule != "freeze" {
			continue
		}
		v := released[h.Version]
		switch {
		case v.Undated || v.Time.IsZero():
			earlier(now.Add(undatedRetry))
		case h.Reason.Rule == "min_age":
			earlier(v.Time.Add(minAge))
		}
	}
	return until
}
