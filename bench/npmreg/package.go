package npmreg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Package is one version of a package to publish.
type Package struct {
	Name         string
	Version      string
	Dependencies map[string]string // name -> range or dist-tag
	Tag          string            // dist-tag set by the publish; "" means latest
	Files        map[string]string // extra files under package/; index.js defaults to exporting "NAME@VERSION"
	Padding      int               // bytes of incompressible filler, for benchmarks
}

// Manifest is the package.json the tarball carries.
func (p Package) Manifest() map[string]any {
	m := map[string]any{"name": p.Name, "version": p.Version, "main": "index.js", "license": "MIT",
		"description": "hoard npm test package"}
	if len(p.Dependencies) > 0 {
		m["dependencies"] = p.Dependencies
	}
	return m
}

// Tarball builds the package's .tgz the way npm pack lays it out: package/...
func (p Package) Tarball() ([]byte, error) {
	files := map[string]string{"index.js": fmt.Sprintf("module.exports = %q;\n", p.Name+"@"+p.Version)}
	for k, v := range p.Files {
		files[k] = v
	}
	manifest, err := json.MarshalIndent(p.Manifest(), "", "  ")
	if err != nil {
		return nil, err
	}
	files["package.json"] = string(manifest)
	if p.Padding > 0 {
		files["padding.bin"] = string(filler(p.Padding))
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	gz := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(gz)
	gz.Reset(&buf)
	tw := tar.NewWriter(gz)
	mtime := time.Date(1985, 10, 26, 8, 15, 0, 0, time.UTC)
	for _, n := range names {
		body := files[n]
		hdr := &tar.Header{Name: "package/" + n, Mode: 0o644, Size: int64(len(body)), ModTime: mtime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// gzipWriters are reused: a gzip.Writer allocates about a megabyte, and generated
// registries make thousands of tarballs.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// filler is deterministic bytes that gzip cannot shrink.
func filler(n int) []byte {
	out := make([]byte, 0, n+sha512.Size)
	seed := sha512.Sum512([]byte("hoard"))
	for len(out) < n {
		seed = sha512.Sum512(seed[:])
		out = append(out, seed[:]...)
	}
	return out[:n]
}

// Integrity is the SRI sha512 of data, as npm writes dist.integrity.
func Integrity(data []byte) string {
	s := sha512.Sum512(data)
	return "sha512-" + base64.StdEncoding.EncodeToString(s[:])
}

// PublishBody is the JSON npm publish PUTs to /NAME: the manifest as the only
// version, its dist, and the tarball as a base64 attachment.
func (p Package) PublishBody(registry string, tgz []byte) ([]byte, error) {
	tag := p.Tag
	if tag == "" {
		tag = "latest"
	}
	s1 := sha1.Sum(tgz)
	file := p.Name + "-" + p.Version + ".tgz"
	v := p.Manifest()
	v["_id"] = p.Name + "@" + p.Version
	v["dist"] = map[string]any{
		"integrity": Integrity(tgz), "shasum": hex.EncodeToString(s1[:]),
		"tarball": strings.TrimSuffix(registry, "/") + "/" + p.Name + "/-/" + file,
	}
	doc := map[string]any{
		"_id": p.Name, "name": p.Name, "description": v["description"],
		"dist-tags": map[string]string{tag: p.Version},
		"versions":  map[string]any{p.Version: v},
		"access":    nil,
		"_attachments": map[string]any{file: map[string]any{
			"content_type": "application/octet-stream",
			"data":         base64.StdEncoding.EncodeToString(tgz),
			"length":       len(tgz),
		}},
	}
	return json.Marshal(doc)
}

// EscapedName is the name as npm puts it in a path: the scope's slash encoded.
func EscapedName(name string) string { return strings.Replace(name, "/", "%2f", 1) }

// Publish PUTs the package to registry with token, as npm publish would.
func Publish(ctx context.Context, registry, token string, p Package) error {
	tgz, err := p.Tarball()
	if err != nil {
		return err
	}
	body, err := p.PublishBody(registry, tgz)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, strings.TrimSuffix(registry, "/")+"/"+EscapedName(p.Name), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("publish %s@%s: %d %s", p.Name, p.Version, resp.StatusCode, msg)
	}
	return nil
}
