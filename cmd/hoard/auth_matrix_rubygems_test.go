package main_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"
)

// RubyGems: /rubygems/OWNER/..., Basic credentials on reads (bundle, gem install),
// the key bare in Authorization on push and yank (gem push, gem yank).
func rubygemsMatrix() matrixFormat {
	const base = "/rubygems/acme/"
	bare := func(c cred) string { return c.tok }
	return matrixFormat{
		name: "rubygems",
		seed: func(e *authEnv) {
			for _, g := range [][2]string{{"lib", "1.0.0"}, {"old", "1.0.0"}, {"old", "1.0.1"}} {
				if err := e.gh.SeedGem(ghOwner, goBuiltGem(g[0], g[1])); err != nil {
					e.t.Fatal(err)
				}
			}
		},
		read: func(e *authEnv, c cred) []step {
			return []step{
				{"GET /info", 200, e.do("GET", base+"info/lib", c.basic(), nil)},
				{"GET .gem", 200, e.do("GET", base+"gems/lib-1.0.0.gem", c.basic(), nil)},
			}
		},
		pub: func(e *authEnv, c cred, n int) []step {
			gem := goBuiltGem("lib", fmt.Sprintf("2.0.%d", n))
			return []step{{"POST gem push", 200, e.do("POST", base+"api/v1/gems", bare(c), gem, "Content-Type", "application/octet-stream")}}
		},
		del: func(e *authEnv, c cred) []step {
			return []step{{"DELETE gem yank", 200, e.do("DELETE", base+"api/v1/gems/yank", bare(c), []byte("gem_name=old&version=1.0.1"),
				"Content-Type", "application/x-www-form-urlencoded")}}
		},
		pubbed: func(e *authEnv, n int) bool {
			return contains(e.gh.GemVersions(ghOwner, "lib"), fmt.Sprintf("2.0.%d", n))
		},
		gone: func(e *authEnv) bool { return !contains(e.gh.GemVersions(ghOwner, "old"), "1.0.1") },
		refusal: func(t *testing.T, r reply) {
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
				t.Errorf("RubyGems refusal with Content-Type %q, want text/plain", r.header.Get("Content-Type"))
			}
		},
	}
}

// goBuiltGem is a .gem as gem build lays it out (a tar of metadata.gz, the
// specification in YAML, and data.tar.gz), for tests that need many quickly.
func goBuiltGem(name, version string) []byte {
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.Bytes()
	}
	spec := fmt.Sprintf("--- !ruby/object:Gem::Specification\nname: %s\nversion: !ruby/object:Gem::Version\n  version: %s\nplatform: ruby\n", name, version)
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range []struct {
		n string
		b []byte
	}{{"metadata.gz", gz(spec)}, {"data.tar.gz", gz("lib/" + name + ".rb")}} {
		tw.WriteHeader(&tar.Header{Name: f.n, Mode: 0o444, Size: int64(len(f.b)), Format: tar.FormatUSTAR})
		tw.Write(f.b)
	}
	tw.Close()
	return b.Bytes()
}
