package bundle

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"hoard/cache"
)

// ExportOptions choose what an export holds.
type ExportOptions struct {
	Mounts map[string]string // name -> format of the mounts to export
	Since  time.Time         // only entries fetched after it; zero: all
	Now    time.Time
	// PublicURL is the exporting daemon's, recorded in the manifest.
	PublicURL string
}

// Export writes a bundle of the chosen mounts' entries to w, from a snapshot taken
// first, so the cache keeps serving and changing meanwhile. It returns the manifest.
func Export(ctx context.Context, store *cache.Store, o ExportOptions, w io.Writer) (*Manifest, error) {
	var prefixes []string
	for name := range o.Mounts {
		prefixes = append(prefixes, name+"/")
	}
	snap, err := store.Snapshot(ctx, prefixes, o.Since)
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	m := manifestOf(snap.Entries, o)
	if m.Seen, err = store.SeenRecords(prefixes); err != nil {
		return nil, err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(w)
	if err := writeMember(tw, ManifestName, int64(len(body)), strings.NewReader(string(body)), o.Now); err != nil {
		return nil, err
	}
	for _, b := range m.Blobs {
		if err := exportBlob(ctx, tw, snap, b, o.Now); err != nil {
			return nil, err
		}
	}
	return m, tw.Close()
}

func manifestOf(entries []cache.Entry, o ExportOptions) *Manifest {
	m := &Manifest{Kind: Kind, Version: Version, ExportedAt: o.Now.UTC(), Since: o.Since.UTC(), PublicURL: o.PublicURL,
		Entries: []Entry{}, Blobs: []Blob{}}
	if o.Since.IsZero() {
		m.Since = time.Time{}
	}
	for name := range o.Mounts {
		m.Mounts = append(m.Mounts, name)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		mount, key, _ := strings.Cut(e.Key, "/")
		format, ok := o.Mounts[mount]
		if !ok {
			continue
		}
		hx := e.Digest.Hex()
		m.Entries = append(m.Entries, Entry{Format: format, Mount: mount, Key: key, Size: e.Size, SHA256: hx,
			ContentType: e.ContentType, ETag: e.ETag, LastModified: e.LastModified, FetchedAt: e.FetchedAt.UTC(),
			Mutable: e.Mutable, Private: e.Private, Source: e.Source, Header: e.Header})
		if !seen[hx] {
			seen[hx] = true
			m.Blobs = append(m.Blobs, Blob{SHA256: hx, Size: e.Size})
		}
	}
	return m
}

func exportBlob(ctx context.Context, tw *tar.Writer, snap *cache.Snapshot, b Blob, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := snap.Open(cache.Digest("sha256:" + b.SHA256))
	if err != nil {
		return fmt.Errorf("export: blob %s: %w", short(b.SHA256), err)
	}
	defer f.Close()
	return writeMember(tw, blobDir+b.SHA256, b.Size, f, now)
}

func writeMember(tw *tar.Writer, name string, size int64, r io.Reader, now time.Time) error {
	hdr := &tar.Header{Name: name, Mode: 0o644, Size: size, ModTime: now.UTC(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.Copy(tw, r)
	if err == nil && n != size {
		err = fmt.Errorf("export: %s has %d bytes, expected %d", name, n, size)
	}
	return err
}
