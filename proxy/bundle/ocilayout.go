package bundle

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"hoard/formats/lockfile"
)

// OCI image layouts: a bundle's OCI entries written as one plain image layout per
// repository (DIR/MOUNT/REPO/{oci-layout,index.json,blobs/sha256/...}), the tree
// zot serves and ORAS, skopeo and crane read. index.json lists every cached tag.

const ociIndexType = "application/vnd.oci.image.index.v1+json"

// LayoutReport says what WriteOCILayout wrote.
type LayoutReport struct {
	Repositories int
	Tags         int
	Blobs        int
	Bytes        int64
}

// layoutRepo is what one repository's layout holds.
type layoutRepo struct {
	dir       string
	tags      map[string]Entry // tag -> its manifest's entry
	manifests []Entry          // manifests by digest
}

// WriteOCILayout reads a bundle stream and writes the image layouts of its OCI
// entries under dir; entries of other formats are skipped.
func WriteOCILayout(in io.Reader, dir string, progress func(done, total int64)) (LayoutReport, error) {
	var rep LayoutReport
	tr := tar.NewReader(in)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != ManifestName {
		return rep, fmt.Errorf("the export does not start with its manifest: %v", err)
	}
	body, err := io.ReadAll(io.LimitReader(tr, maxManifest))
	if err != nil {
		return rep, err
	}
	m, err := ParseManifest(body)
	if err != nil {
		return rep, err
	}
	repos, wants, err := layoutPlan(m, dir)
	if err != nil {
		return rep, err
	}
	var total, done int64
	for _, b := range m.Blobs {
		total += b.Size
	}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, fmt.Errorf("the export ended early: %v", err)
		}
		hx := trimBlobDir(hdr.Name)
		if dirs := wants[hx]; len(dirs) > 0 {
			if err := writeLayoutBlob(tr, hx, dirs); err != nil {
				return rep, err
			}
			rep.Blobs++
			rep.Bytes += hdr.Size
		}
		done += hdr.Size
		if progress != nil {
			progress(done, total)
		}
	}
	for _, r := range repos {
		if err := writeLayoutIndex(r); err != nil {
			return rep, err
		}
		rep.Repositories++
		rep.Tags += len(r.tags)
	}
	return rep, nil
}

// layoutPlan groups the OCI entries by repository and lists, for each blob, the
// layouts that need it. Repository names and tags are validated before they name
// a directory.
func layoutPlan(m *Manifest, dir string) (map[string]*layoutRepo, map[string][]string, error) {
	repos := map[string]*layoutRepo{}
	wants := map[string][]string{}
	for _, e := range m.Entries {
		if e.Format != "oci" {
			continue
		}
		repo, kind, ref, ok := ociKey(e.Key)
		if !ok {
			continue // tag lists, referrers
		}
		id := e.Mount + "/" + repo
		r := repos[id]
		if r == nil {
			r = &layoutRepo{dir: filepath.Join(dir, e.Mount, filepath.FromSlash(repo)), tags: map[string]Entry{}}
			repos[id] = r
		}
		switch {
		case kind == "manifests" && !strings.HasPrefix(ref, "sha256:"):
			r.tags[ref] = e
		case kind == "manifests":
			r.manifests = append(r.manifests, e)
		}
		if !contains(wants[e.SHA256], r.dir) {
			wants[e.SHA256] = append(wants[e.SHA256], r.dir)
		}
	}
	return repos, wants, nil
}

// ociKey reads "REPO/manifests/REF" and "REPO/blobs/sha256:HEX" (a tag's key may
// carry a "#N" generation); ok is false for anything else or a name that could not
// be a repository.
func ociKey(key string) (repo, kind, ref string, ok bool) {
	for _, k := range []string{"/manifests/", "/blobs/"} {
		if i := strings.LastIndex(key, k); i > 0 {
			repo, kind, ref = key[:i], strings.Trim(k, "/"), key[i+len(k):]
			ref, _, _ = strings.Cut(ref, "#")
			if !lockfile.ValidRepository(repo) {
				return "", "", "", false
			}
			if strings.HasPrefix(ref, "sha256:") {
				_, err := lockfile.ParseImageRef(repo + "@" + ref)
				return repo, kind, ref, err == nil
			}
			return repo, kind, ref, kind == "manifests" && lockfile.ValidTag(ref)
		}
	}
	return "", "", "", false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// writeLayoutBlob writes one blob into the first layout that needs it, verifying
// its digest, and links it into the others.
func writeLayoutBlob(r io.Reader, hx string, dirs []string) error {
	first := filepath.Join(dirs[0], "blobs", "sha256", hx)
	if err := os.MkdirAll(filepath.Dir(first), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(first), ".blob-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != hx {
		return fmt.Errorf("blob %s read as %s: the export is damaged", short(hx), short(got))
	}
	if err := os.Rename(f.Name(), first); err != nil {
		return err
	}
	for _, d := range dirs[1:] {
		p := filepath.Join(d, "blobs", "sha256", hx)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.Link(first, p); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	return nil
}

type layoutDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// writeLayoutIndex writes oci-layout and index.json: each tag, by name; a
// repository cached only by digest lists its manifests without names.
func writeLayoutIndex(r *layoutRepo) error {
	var descs []layoutDescriptor
	tags := make([]string, 0, len(r.tags))
	for t := range r.tags {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	for _, t := range tags {
		e := r.tags[t]
		descs = append(descs, layoutDescriptor{MediaType: mediaTypeOf(e), Digest: "sha256:" + e.SHA256, Size: e.Size,
			Annotations: map[string]string{"org.opencontainers.image.ref.name": t}})
	}
	if len(descs) == 0 {
		for _, e := range r.manifests {
			descs = append(descs, layoutDescriptor{MediaType: mediaTypeOf(e), Digest: "sha256:" + e.SHA256, Size: e.Size})
		}
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r.dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		return err
	}
	idx, err := json.MarshalIndent(map[string]any{"schemaVersion": 2, "mediaType": ociIndexType, "manifests": descs}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(r.dir, "index.json"), idx, 0o644)
}

func mediaTypeOf(e Entry) string {
	if ct, _, _ := strings.Cut(e.ContentType, ";"); strings.TrimSpace(ct) != "" {
		return strings.TrimSpace(ct)
	}
	return "application/vnd.oci.image.manifest.v1+json"
}
