package proxy

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"testing"
)

// gzipEncoded answers with body gzip-encoded whatever was asked, as some CDNs do.
func gzipEncoded(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		z.Write(body)
		z.Close()
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(b.Bytes())
	}
}

// A jar sent gzip-encoded is decoded before its published sha1 is checked and it is
// stored: clients get exactly the published bytes, on the miss and on the hit,
// whether or not they accept gzip themselves. Hoard asked for identity.
func TestGzipEncodedArtifactIsDecodedBeforeVerifying(t *testing.T) {
	o := newOrigin(t)
	jar := randomBytes(t, 200<<10)
	o.publish(jarPath, jar)
	e := newEnv(t, o)
	o.fault(jarPath, gzipEncoded("application/java-archive", jar))
	for i, ae := range []string{"gzip", "", "gzip"} {
		h := http.Header{}
		if ae != "" {
			h.Set("Accept-Encoding", ae)
		}
		r := do(t, http.MethodGet, e.url(jarPath), nil, h)
		if r.status != 200 || !bytes.Equal(r.body, jar) || r.header.Get("Content-Encoding") != "" {
			t.Fatalf("request %d: %d, %d bytes, Content-Encoding %q; want the published %d bytes", i, r.status, len(r.body), r.header.Get("Content-Encoding"), len(jar))
		}
		e.waitFills()
	}
	if got := o.lastHeader(jarPath).Get("Accept-Encoding"); got != "identity" {
		t.Errorf("Accept-Encoding sent upstream = %q, want identity", got)
	}
	if n := o.count(jarPath); n != 1 {
		t.Errorf("upstream requests for the jar = %d, want 1 (then hits)", n)
	}
}
