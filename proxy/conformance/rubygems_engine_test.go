package conformance

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
)

// The compact index through the real engine: Bundler's conditional and Range
// requests are answered from the cached bytes, with the ETag the MD5 of the whole
// file, and a .gem whose bytes do not match its /info checksum is never cached.

func TestRubygemsCompactIndexValidators(t *testing.T) {
	s := rubygemsSubject()
	e := startEngine(t, s)
	if e == nil {
		return
	}
	versions := s.Upstream["/acme/versions"].Body
	md := md5.Sum(versions)
	etag := `"` + hex.EncodeToString(md[:]) + `"`
	req := Request{Path: "/acme/versions"}
	e.expect(t, "m", req, 200, "miss", versions)
	for _, result := range []string{"hit"} {
		resp, _ := e.do(t, "m", req)
		if resp.Header.Get("ETag") != etag || resp.Header.Get("Repr-Digest") == "" {
			t.Errorf("%s: ETag %q Repr-Digest %q, want ETag %s", result, resp.Header.Get("ETag"), resp.Header.Get("Repr-Digest"), etag)
		}
	}
	// Bundler's update: its copy's MD5, and the range from its copy's last byte.
	tail := Request{Path: "/acme/versions", Header: http.Header{"If-None-Match": {`"00000000000000000000000000000000"`}, "Range": {"bytes=10-"}}}
	resp, body := e.do(t, "m", tail)
	if resp.StatusCode != http.StatusPartialContent || string(body) != string(versions[10:]) || resp.Header.Get("ETag") != etag {
		t.Errorf("range: %d %q ETag %q, want 206 of the tail with ETag %s", resp.StatusCode, body, resp.Header.Get("ETag"), etag)
	}
	if cr := resp.Header.Get("Content-Range"); cr == "" {
		t.Errorf("range answered without Content-Range")
	}
	same := Request{Path: "/acme/versions", Header: http.Header{"If-None-Match": {etag}, "Range": {"bytes=10-"}}}
	if resp, _ := e.do(t, "m", same); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the current MD5: %d, want 304", resp.StatusCode)
	}
}

func TestRubygemsGemChecksumMismatch(t *testing.T) {
	s := rubygemsSubject()
	bad := gemFile("tool", "1.0.0")
	bad = append(bad[:len(bad):len(bad)], make([]byte, 512)...) // another .gem than /info names
	s.Upstream["/acme/gems/tool-1.0.0.gem"] = Fixture{Body: bad, Header: http.Header{"Content-Type": {"application/octet-stream"}}}
	s.Upstream["/acme/gems/page-1.0.0.gem"] = Fixture{Body: []byte("<!DOCTYPE html><html>sign in</html>"), Header: http.Header{"Content-Type": {"text/html"}}}
	e := startEngine(t, s)
	if e == nil {
		return
	}
	for _, p := range []string{"/acme/gems/tool-1.0.0.gem", "/acme/gems/page-1.0.0.gem"} {
		e.expectError(t, "m", Request{Path: p}, http.StatusBadGateway)
		e.expectError(t, "m", Request{Path: p}, http.StatusBadGateway)
		if n := e.up.count(p); n != 2 {
			t.Errorf("%s fetched %d times for two requests, want 2 (nothing cached)", p, n)
		}
	}
}

// A push whose body is not a gem, and a yank naming a traversal, are refused with
// 400 and never reach the upstream.
func TestRubygemsBadChangesNotForwarded(t *testing.T) {
	e := startEngine(t, rubygemsSubject())
	if e == nil {
		return
	}
	for _, c := range []struct {
		method, path string
		body         []byte
	}{
		{http.MethodPost, "/m/acme/api/v1/gems", []byte("<html>not a gem</html>")},
		{http.MethodPost, "/m/acme/api/v1/gems", gemFile("../../etc", "1.0.0")},
		{http.MethodDelete, "/m/acme/api/v1/gems/yank", []byte("gem_name=..%2F..%2Fx&version=1.0.0")},
	} {
		req, _ := http.NewRequest(c.method, e.hoard.URL+c.path, bytes.NewReader(c.body))
		resp, err := e.hoard.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s %s: %d %s, want 400", c.method, c.path, resp.StatusCode, body)
		}
	}
	for _, p := range []string{"/acme/api/v1/gems", "/acme/api/v1/gems/yank"} {
		if n := e.up.count(p); n != 0 {
			t.Errorf("%s reached the upstream %d times", p, n)
		}
	}
}
