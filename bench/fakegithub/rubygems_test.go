package fakegithub

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	b64 "encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// testGem is a .gem as gem build writes it, with one runtime dependency.
func testGem(name, version string) []byte {
	spec := "--- !ruby/object:Gem::Specification\nname: " + name + "\nversion: !ruby/object:Gem::Version\n  version: " + version +
		"\nplatform: ruby\ndependencies:\n- !ruby/object:Gem::Dependency\n  name: leaf\n  requirement: !ruby/object:Gem::Requirement\n" +
		"    requirements:\n    - - \"~>\"\n      - !ruby/object:Gem::Version\n        version: '1.0'\n  type: :runtime\n"
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.Bytes()
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range []struct {
		n string
		b []byte
	}{{"metadata.gz", gz(spec)}, {"data.tar.gz", gz("x")}} {
		tw.WriteHeader(&tar.Header{Name: f.n, Mode: 0o444, Size: int64(len(f.b)), Format: tar.FormatUSTAR})
		tw.Write(f.b)
	}
	tw.Close()
	return b.Bytes()
}

func TestRubygemsRegistry(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tok := s.AddToken("acme", "read:packages,write:packages,delete:packages")
	base := s.URL(Rubygems) + "/acme"
	do := func(method, path, auth string, body []byte, hdr ...string) (int, http.Header, string) {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	if st, _, _ := do("POST", "/api/v1/gems", "", testGem("tool", "1.0.0")); st != http.StatusUnauthorized {
		t.Errorf("anonymous push: %d", st)
	}
	if st, _, body := do("POST", "/api/v1/gems", tok, testGem("tool", "1.0.0")); st != 200 {
		t.Fatalf("push with a bare key: %d %s", st, body)
	}
	if st, _, _ := do("POST", "/api/v1/gems", "Bearer "+tok, testGem("tool", "1.0.0")); st != http.StatusConflict {
		t.Errorf("re-push: %d, want 409", st)
	}
	basic := "Basic " + basicOf("acme", tok)
	_, _, info := do("GET", "/info/tool", basic, nil)
	if !strings.Contains(info, "1.0.0 leaf:~> 1.0|checksum:") || !strings.Contains(info, ",created_at:") {
		t.Errorf("info: %q", info)
	}
	st, h, versions := do("GET", "/versions", basic, nil)
	sum := md5.Sum([]byte(info))
	if st != 200 || !strings.HasSuffix(versions, "tool 1.0.0 "+hex.EncodeToString(sum[:])+"\n") {
		t.Errorf("versions: %d %q", st, versions)
	}
	etag := h.Get("ETag")
	do("POST", "/api/v1/gems", tok, testGem("tool", "1.1.0"))
	st, h, tail := do("GET", "/versions", basic, nil, "Range", "bytes="+itoa(len(versions)-1)+"-", "If-None-Match", etag)
	whole := versions[:len(versions)-1] + tail
	m := md5.Sum([]byte(whole))
	if st != http.StatusPartialContent || h.Get("ETag") != `"`+hex.EncodeToString(m[:])+`"` || !strings.Contains(tail, "tool 1.1.0 ") {
		t.Errorf("range after a push: %d ETag %s %q", st, h.Get("ETag"), tail)
	}
	if st, _, body := do("DELETE", "/api/v1/gems/yank", tok, []byte("gem_name=tool&version=1.0.0")); st != 200 {
		t.Errorf("yank: %d %s", st, body)
	}
	if _, _, v := do("GET", "/versions", basic, nil); !strings.Contains(v, "tool -1.0.0 ") {
		t.Errorf("versions after a yank: %q", v)
	}
	if _, _, info := do("GET", "/info/tool", basic, nil); strings.Contains(info, "1.0.0 ") {
		t.Errorf("info after a yank: %q", info)
	}
}

func basicOf(user, pass string) string {
	return base64Std(user + ":" + pass)
}

func base64Std(s string) string { return b64.StdEncoding.EncodeToString([]byte(s)) }

func itoa(n int) string { return strconv.Itoa(n) }
