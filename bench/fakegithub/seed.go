package fakegithub

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"sort"
	"time"
)

// SeedMaven publishes a file as OWNER would, at /OWNER/ANY-REPO/<path>; a new package
// is private.
func (s *Server) SeedMaven(owner, path string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.packageLocked(Maven, owner+"/"+mavenPackageDir(path), owner, true)
	s.maven[owner+"/"+path] = append([]byte(nil), body...)
}

// MavenFile returns a file as the registry holds it.
func (s *Server) MavenFile(owner, path string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.maven[owner+"/"+path]
	return b, ok
}

// MavenPackage is the name SetPublic and Share take for the package of a path.
func MavenPackage(owner, path string) string { return owner + "/" + mavenPackageDir(path) }

// Image is what SeedImage pushed.
type Image struct {
	Manifest, Config string   // digests
	Layers           []string // digests of the gzipped layers
	ManifestBody     []byte
	LayerBodies      [][]byte
}

// SeedImage pushes a one-layer image holding files to repo:tag, as its owner would;
// a new repository is private.
func (s *Server) SeedImage(repo, tag string, files map[string]string) Image {
	layer, diffID := Layer(files)
	config, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{diffID}},
	})
	img := Image{Config: digestOf(config), Layers: []string{digestOf(layer)}, LayerBodies: [][]byte{layer}}
	img.ManifestBody, _ = json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": MediaManifest,
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": img.Config, "size": len(config)},
		"layers": []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": img.Layers[0], "size": len(layer)}},
	})
	img.Manifest = digestOf(img.ManifestBody)
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo, true)
	for _, b := range [][]byte{config, layer} {
		s.oci.blobs[digestOf(b)] = b
		r.blobs[digestOf(b)] = true
	}
	r.manifests[img.Manifest] = ociManifest{mediaType: MediaManifest, body: img.ManifestBody}
	r.tags[tag] = img.Manifest
	return img
}

// MediaManifest is the media type of the manifests SeedImage pushes.
const MediaManifest = "application/vnd.oci.image.manifest.v1+json"

// Layer builds a gzipped tar of files and returns it with its diff id (the digest of
// the uncompressed tar).
func Layer(files map[string]string) ([]byte, string) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for _, n := range names {
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg})
		tw.Write([]byte(files[n]))
	}
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw.Bytes())
	zw.Close()
	return gz.Bytes(), digestOf(raw.Bytes())
}

// Tag returns the digest a tag points at ("" if none).
func (s *Server) Tag(repo, tag string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.oci.repos[repo]; r != nil {
		return r.tags[tag]
	}
	return ""
}

// HasManifest reports whether repo holds the manifest.
func (s *Server) HasManifest(repo, digest string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.oci.repos[repo]
	if r == nil {
		return false
	}
	_, ok := r.manifests[digest]
	return ok
}

// HasBlob reports whether a blob is linked into repo.
func (s *Server) HasBlob(repo, digest string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.oci.repos[repo]
	return r != nil && r.blobs[digest]
}
