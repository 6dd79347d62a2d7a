package conformance

import (
	"archive/tar"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	"hoard/formats"
	"hoard/formats/rubygems"
)

func TestRubygems(t *testing.T) { Run(t, rubygemsSubject()) }

func rubygemsSubject() Subject {
	gem := gemFile("tool", "1.0.0")
	sum := sha256.Sum256(gem)
	info := []byte("---\n1.0.0 |checksum:" + hex.EncodeToString(sum[:]) + ",created_at:2024-01-01T00:00:00Z\n")
	md := md5.Sum(info)
	versions := []byte("created_at: 2024-01-01T00:00:00Z\n---\ntool 1.0.0 " + hex.EncodeToString(md[:]) + "\n")
	text := http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
	return Subject{
		New:       func() formats.Format { return rubygems.New() },
		ErrorType: "text/plain",
		Samples: []Sample{
			{Request{Path: "/acme/versions"}, formats.Metadata, "acme/versions"},
			{Request{Path: "/acme/names"}, formats.Metadata, "acme/names"},
			{Request{Path: "/acme/info/tool"}, formats.Metadata, "acme/info/tool"},
			{Request{Path: "/acme/specs.4.8.gz"}, formats.Metadata, "acme/specs.4.8.gz"},
			{Request{Path: "/acme/prerelease_specs.4.8.gz"}, formats.Metadata, "acme/prerelease_specs.4.8.gz"},
			{Request{Path: "/acme/api/v1/dependencies?gems=tool%2Cb"}, formats.Metadata, "acme/api/v1/dependencies?gems=b,tool"},
			{Request{Path: "/acme/gems/tool-1.0.0.gem"}, formats.Artifact, "acme/gems/tool-1.0.0.gem"},
			{Request{Path: "/acme/gems/tool-1.0.0-x86_64-linux.gem"}, formats.Artifact, "acme/gems/tool-1.0.0-x86_64-linux.gem"},
			{Request{Path: "/acme/quick/Marshal.4.8/tool-1.0.0.gemspec.rz"}, formats.Artifact, "acme/quick/Marshal.4.8/tool-1.0.0.gemspec.rz"},
			{Request{Path: "/versions"}, formats.Metadata, "versions"},
			{Request{Path: "/gems/tool-1.0.0.gem"}, formats.Artifact, "gems/tool-1.0.0.gem"},
			{Request{Path: "/acme/api/v1/dependencies"}, formats.Passthrough, ""},
			{Request{Path: "/acme/api/v1/gems/tool.json"}, formats.Passthrough, ""},
			{Request{Method: http.MethodPost, Path: "/acme/api/v1/gems"}, formats.Publish, ""},
			{Request{Method: http.MethodDelete, Path: "/acme/api/v1/gems/yank"}, formats.Delete, ""},
		},
		Publish: &Request{Method: http.MethodPost, Path: "/acme/api/v1/gems", Body: gem},
		HostilePublish: [][]byte{
			gemFile("../tool", "1.0.0"),
			gemFile("tool", "1.0/../../x"),
			gzipped("not a tar"),
			[]byte("<html><body>a login page</body></html>"),
		},
		Upstream: map[string]Fixture{
			"/acme/versions":            {Body: versions, Header: text},
			"/acme/info/tool":           {Body: info, Header: text},
			"/acme/gems/tool-1.0.0.gem": {Body: gem, Header: http.Header{"Content-Type": {"application/octet-stream"}}},
		},
		Artifact: Request{Path: "/acme/gems/tool-1.0.0.gem"},
		Metadata: Request{Path: "/acme/versions"},
		Missing:  Request{Path: "/acme/gems/tool-9.9.9.gem"},
	}
}

// gemFile is a .gem as gem build writes it: a tar of metadata.gz (the
// specification in YAML, gzipped) and data.tar.gz.
func gemFile(name, version string) []byte {
	spec := "--- !ruby/object:Gem::Specification\nname: " + name + "\nversion: !ruby/object:Gem::Version\n  version: " +
		version + "\nplatform: ruby\nauthors:\n- Hoard\nsummary: a test gem\n"
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range []struct {
		name string
		body []byte
	}{{"metadata.gz", gzipped(spec)}, {"data.tar.gz", gzipped("lib/" + name + ".rb")}} {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o444, Size: int64(len(f.body)), Format: tar.FormatUSTAR})
		tw.Write(f.body)
	}
	tw.Close()
	return b.Bytes()
}
