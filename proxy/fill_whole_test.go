package proxy

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"hoard/cache"
	"hoard/formats"
)

// A small body, verified in memory, is answered while its commit (fsyncs and the
// index write) has not even started; a Range request waits for the commit.
func TestSmallBodyAnsweredBeforeItsCommit(t *testing.T) {
	env := newEnv(t, newOrigin(t))
	m := env.srv.mounts["maven"]
	body := []byte("<metadata><versioning/></metadata>\n")
	sum := sha256.Sum256(body)
	entry := cache.Entry{
		Key: env.key(metaPath), ContentType: "text/xml", Size: int64(len(body)),
		Digest: cache.Digest("sha256:" + hex.EncodeToString(sum[:])), Mutable: true,
	}
	f := newFill(entry.Key)
	f.publishWhole(entry, body)
	rt := formats.Route{Kind: formats.Metadata, Key: metaPath, Path: metaPath}

	rec := httptest.NewRecorder()
	env.srv.engine.serveFill(rec, httptest.NewRequest(http.MethodGet, "/maven"+metaPath, nil), m, rt, f, nil)
	if rec.Code != http.StatusOK || rec.Body.String() != string(body) {
		t.Fatalf("got %d %q, want 200 and the body", rec.Code, rec.Body.String())
	}
	if got, want := rec.Header().Get("ETag"), `"`+hex.EncodeToString(sum[:])+`"`; got != want {
		t.Errorf("ETag = %s, want %s", got, want)
	}
	if got := rec.Header().Get("X-Hoard-Cache"); got != resultMiss {
		t.Errorf("X-Hoard-Cache = %q, want miss", got)
	}
	select {
	case <-f.done:
		t.Fatal("the fill ended: the test needs it still committing")
	default:
	}

	ranged := make(chan *httptest.ResponseRecorder)
	go func() {
		r := httptest.NewRequest(http.MethodGet, "/maven"+metaPath, nil)
		r.Header.Set("Range", "bytes=0-9")
		rec := httptest.NewRecorder()
		env.srv.engine.serveFill(rec, r, m, rt, f, nil)
		ranged <- rec
	}()
	select {
	case <-ranged:
		t.Fatal("a Range request was answered before the commit")
	case <-time.After(50 * time.Millisecond):
	}
	f.commit(func() (cache.Entry, error) { return entry, nil })
	rec = <-ranged
	if rec.Code != http.StatusPartialContent || rec.Body.String() != string(body[:10]) {
		t.Errorf("range: got %d %q, want 206 %q", rec.Code, rec.Body.String(), body[:10])
	}
}
