// Package bundle carries cache entries across an air gap: one tar whose first
// member is a manifest listing every entry (format, mount, key, size, sha256) and
// the export time, optionally followed by an ed25519 signature over the manifest's
// bytes, then each blob once, named by its sha256 so it verifies itself.
//
//	manifest.json
//	manifest.sig            (64 bytes, when signed)
//	blobs/sha256/<hex>      (in the manifest's blob order)
//
// It imports cache, formats and formats/lockfile, never the engine.
package bundle

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"hoard/cache"
)

// Kind and Version name the manifest's schema; an import refuses any other.
const (
	Kind    = "hoard-bundle"
	Version = 1

	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
	blobDir       = "blobs/sha256/"
)

// maxManifest bounds the manifest read into memory (about 300 bytes an entry).
const maxManifest = 1 << 30

// Manifest lists a bundle's entries and blobs.
type Manifest struct {
	Kind       string    `json:"kind"`
	Version    int       `json:"version"`
	ExportedAt time.Time `json:"exported_at"`
	// Since is the --since of an incremental bundle; zero for a full one.
	Since time.Time `json:"since,omitzero"`
	// PublicURL is the exporting daemon's: what its documents' URLs name.
	PublicURL string   `json:"public_url,omitempty"`
	Mounts    []string `json:"mounts"`
	Entries   []Entry  `json:"entries"`
	Blobs     []Blob   `json:"blobs"`
	// Seen are the exported mounts' first-seen records (release times learned
	// where the upstream states none), so that a site's policy dates the
	// versions as the exporting side does.
	Seen []cache.Seen `json:"seen,omitempty"`
}

// Entry is one cache entry: where it is served and what it holds.
type Entry struct {
	Format       string            `json:"format"`
	Mount        string            `json:"mount"`
	Key          string            `json:"key"` // the format's key, without the mount
	Size         int64             `json:"size"`
	SHA256       string            `json:"sha256"`
	ContentType  string            `json:"content_type,omitempty"`
	ETag         string            `json:"etag,omitempty"`
	LastModified string            `json:"last_modified,omitempty"`
	FetchedAt    time.Time         `json:"fetched_at"`
	Mutable      bool              `json:"mutable,omitempty"`
	Private      bool              `json:"private,omitempty"`
	Source       string            `json:"source,omitempty"`
	Header       map[string]string `json:"header,omitempty"`
}

// Blob is one blob member, in tar order.
type Blob struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// CacheKey is the entry's key in the store.
func (e Entry) CacheKey() string { return e.Mount + "/" + e.Key }

// Digest is the entry's blob digest.
func (e Entry) Digest() cache.Digest { return cache.Digest("sha256:" + e.SHA256) }

// CacheEntry is what the store indexes for e.
func (e Entry) CacheEntry() cache.Entry {
	return cache.Entry{Digest: e.Digest(), Size: e.Size, ContentType: e.ContentType, ETag: e.ETag,
		LastModified: e.LastModified, FetchedAt: e.FetchedAt, Mutable: e.Mutable, Private: e.Private,
		Source: e.Source, Header: e.Header}
}

// ParseManifest reads and checks a manifest: the schema, every digest and size,
// and that every entry's blob is listed once.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("the manifest is not JSON: %v", err)
	}
	if m.Kind != Kind || m.Version != Version {
		return nil, fmt.Errorf("not a Hoard bundle of version %d (kind %q, version %d)", Version, m.Kind, m.Version)
	}
	sizes := map[string]int64{}
	for _, bl := range m.Blobs {
		if _, err := cache.ParseDigest("sha256:" + bl.SHA256); err != nil || bl.Size < 0 {
			return nil, fmt.Errorf("the manifest lists a bad blob %q", short(bl.SHA256))
		}
		if _, dup := sizes[bl.SHA256]; dup {
			return nil, fmt.Errorf("the manifest lists blob %s twice", short(bl.SHA256))
		}
		sizes[bl.SHA256] = bl.Size
	}
	for i, e := range m.Entries {
		if e.Mount == "" || strings.Contains(e.Mount, "/") || e.Key == "" || len(e.CacheKey()) > 4096 {
			return nil, fmt.Errorf("entry %d has a bad mount or key", i)
		}
		size, ok := sizes[e.SHA256]
		if !ok {
			return nil, fmt.Errorf("entry %s/%s names blob %s, which the manifest does not list", e.Mount, e.Key, short(e.SHA256))
		}
		if size != e.Size {
			return nil, fmt.Errorf("entry %s/%s says %d bytes, its blob %d", e.Mount, e.Key, e.Size, size)
		}
	}
	for i, rec := range m.Seen {
		mount, _, ok := strings.Cut(rec.Name, "/")
		if !ok || mount == "" || len(rec.Name) > 4096 || len(rec.Owner) > 4096 || rec.At.IsZero() {
			return nil, fmt.Errorf("first-seen record %d is malformed", i)
		}
	}
	return &m, nil
}

// Sign is the signature of a manifest's bytes.
func Sign(key ed25519.PrivateKey, manifest []byte) []byte { return ed25519.Sign(key, manifest) }

// ErrBadSignature: the signature does not match the manifest and key.
var ErrBadSignature = errors.New("the manifest's signature does not match the verification key: the bundle was changed, or signed with another key")

// Verify checks a signature over a manifest's bytes.
func Verify(key ed25519.PublicKey, manifest, sig []byte) error {
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(key, manifest, sig) {
		return ErrBadSignature
	}
	return nil
}

func short(hx string) string {
	if len(hx) > 12 {
		return hx[:12]
	}
	return hx
}
