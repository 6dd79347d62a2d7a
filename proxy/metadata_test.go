package proxy

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"hoard/configs"
)

const metaTTL = time.Minute

var metaBody = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<metadata><groupId>com.example</groupId><artifactId>lib</artifactId>
<versioning><latest>1.0</latest><release>1.0</release><versions><version>1.0</version></versions></versioning>
</metadata>
`)

// newMetaEnv serves metaBody from a fresh origin with a one-minute metadata TTL.
func newMetaEnv(t *testing.T) (*origin, *testEnv) {
	t.Helper()
	o := newOrigin(t)
	o.add(metaPath, metaBody)
	e := newEnv(t, o, func(c *configs.Config) {
		c.Mounts[0].TTL = map[string]configs.Duration{"metadata": configs.Duration(metaTTL)}
	})
	return o, e
}

func wantCacheResult(t *testing.T, r result, want string) {
	t.Helper()
	if got := r.header.Get("X-Hoard-Cache"); got != want {
		t.Errorf("X-Hoard-Cache = %q, want %q", got, want)
	}
}

// Metadata is served from the cache within its TTL, then revalidated with the
// upstream's validators; a 304 refreshes it without a download.
func TestMetadataIsCachedForItsTTLThenRevalidated(t *testing.T) {
	o, e := newMetaEnv(t)

	wantCacheResult(t, mustGet(t, e.url(metaPath), metaBody), resultMiss)
	wantCacheResult(t, mustGet(t, e.url(metaPath), metaBody), resultHit)
	if got := o.count(metaPath); got != 1 {
		t.Fatalf("upstream requests within the TTL = %d, want 1", got)
	}

	e.clock.Advance(metaTTL + time.Second)
	wantCacheResult(t, mustGet(t, e.url(metaPath), metaBody), resultRevalidated)
	if got := o.count(metaPath); got != 2 {
		t.Fatalf("upstream requests after the TTL = %d, want 2", got)
	}
	h := o.lastHeader(metaPath)
	if got, want := h.Get("If-None-Match"), etagOf(metaBody); got != want {
		t.Errorf("If-None-Match sent upstream = %q, want %q", got, want)
	}
	if got, want := h.Get("If-Modified-Since"), o.modified.Format(http.TimeFormat); got != want {
		t.Errorf("If-Modified-Since sent upstream = %q, want %q", got, want)
	}

	// The 304 started a new TTL.
	wantCacheResult(t, mustGet(t, e.url(metaPath), metaBody), resultHit)
	if got := o.count(metaPath); got != 2 {
		t.Errorf("upstream requests after the refresh = %d, want 2", got)
	}
}

// Metadata that changed upstream replaces the cached copy once it is stale.
func TestMetadataChangedUpstreamIsRefetched(t *testing.T) {
	o, e := newMetaEnv(t)
	mustGet(t, e.url(metaPath), metaBody)
	changed := []byte(strings.Replace(string(metaBody), "1.0</latest>", "1.1</latest>", 1))
	o.add(metaPath, changed)

	mustGet(t, e.url(metaPath), metaBody) // still fresh
	e.clock.Advance(metaTTL + time.Second)
	mustGet(t, e.url(metaPath), changed)
	mustGet(t, e.url(metaPath), changed)
	if got := o.count(metaPath); got != 2 {
		t.Errorf("upstream requests = %d, want 2", got)
	}
}

// When the upstream cannot answer, stale metadata is served with a Warning rather
// than failing the build.
func TestStaleMetadataServedWhenUpstreamUnwell(t *testing.T) {
	cases := []struct {
		name     string
		failWith func(o *origin)
	}{
		{"500", func(o *origin) { o.fault(metaPath, status(http.StatusInternalServerError)) }},
		{"503", func(o *origin) { o.fault(metaPath, status(http.StatusServiceUnavailable)) }},
		{"429", func(o *origin) { o.fault(metaPath, status(http.StatusTooManyRequests)) }},
		{"closed", func(o *origin) { o.srv.Close() }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, e := newMetaEnv(t)
			mustGet(t, e.url(metaPath), metaBody)
			e.clock.Advance(metaTTL + time.Second)
			c.failWith(o)

			r := mustGet(t, e.url(metaPath), metaBody)
			wantCacheResult(t, r, resultStale)
			if w := r.header.Get("Warning"); !strings.HasPrefix(w, "111 ") {
				t.Errorf("Warning = %q, want a 111 revalidation-failed warning", w)
			}
		})
	}
}

// With nothing cached and the upstream down, the answer is a gateway error: a 404
// would tell Maven the artifact does not exist and fail the build for good.
func TestColdRequestWithUpstreamDownIsGatewayError(t *testing.T) {
	for _, p := range []string{metaPath, jarPath} {
		o, e := newMetaEnv(t)
		o.srv.Close()
		r := get(t, e.url(p))
		if r.status != http.StatusBadGateway && r.status != http.StatusGatewayTimeout {
			t.Errorf("GET %s with the upstream down: status %d, want 502 or 504", p, r.status)
		}
		if _, err := e.store.Lookup(e.key(p)); err == nil {
			t.Errorf("%s cached although the upstream was down", p)
		}
	}
}

// A cold metadata file whose checksum, prefetched beside it, is committed before
// the file itself arrives costs one request for each: the fresh checksum is not
// revalidated as if it described an older version.
func TestMetadataUsesItsPrefetchedChecksum(t *testing.T) {
	o := newOrigin(t)
	const p = "/com/acme/lib/maven-metadata.xml"
	body := []byte("<metadata><versioning><latest>1.0</latest></versioning></metadata>")
	o.publish(p, body)
	o.fault(p, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond) // the checksum's fill commits meanwhile
		w.Header().Set("Content-Type", "text/xml")
		w.Write(body)
	})
	e := newEnv(t, o)
	mustGet(t, e.url(p), body)
	e.waitFills()
	if n := o.count(p + ".sha1"); n != 1 {
		t.Fatalf("%d requests for the checksum of a cold metadata file, want 1", n)
	}
}
