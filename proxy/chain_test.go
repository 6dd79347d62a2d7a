package proxy

import (
	"net/http"
	"testing"
)

func TestUpstreamStale(t *testing.T) {
	for _, c := range []struct {
		warnings []string
		want     string
	}{
		{nil, ""},
		{[]string{`199 - "misc"`}, ""},
		{[]string{warnRevalidation}, warnRevalidation},
		{[]string{`214 - "transformed"`, warnDisconnected}, warnDisconnected},
		{[]string{warnStale}, warnStale},
		{[]string{"111"}, ""},
	} {
		h := http.Header{"Warning": c.warnings}
		if got := upstreamStale(h); got != c.want {
			t.Errorf("%q: got %q, want %q", c.warnings, got, c.want)
		}
	}
}

// Metadata an upstream Hoard could only serve stale is not trusted for a TTL:
// the next request asks again, and a 304 that still carries the Warning is
// answered stale with it.
func TestUpstreamStaleMetadataIsNotFresh(t *testing.T) {
	o := newOrigin(t)
	doc := []byte(`<metadata><groupId>com.example</groupId><artifactId>lib</artifactId></metadata>`)
	o.fault(metaPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Warning", warnRevalidation)
		w.Header().Set("ETag", `"m1"`)
		if r.Header.Get("If-None-Match") == `"m1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Write(doc)
	})
	e := newEnv(t, o)
	if r := get(t, e.url(metaPath)); r.status != 200 {
		t.Fatalf("first GET: %d", r.status)
	}
	r := get(t, e.url(metaPath))
	if n := o.count(metaPath); n != 2 {
		t.Fatalf("origin asked %d times, want 2: a stale upstream copy was trusted as fresh", n)
	}
	if r.status != 200 || r.header.Get("Warning") != warnRevalidation || r.header.Get("X-Hoard-Cache") != "stale" {
		t.Fatalf("second GET: %d, X-Hoard-Cache %q, Warning %q; want 200 stale with the upstream's Warning",
			r.status, r.header.Get("X-Hoard-Cache"), r.header.Get("Warning"))
	}
}
