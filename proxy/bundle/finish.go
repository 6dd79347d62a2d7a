package bundle

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"
)

// Finish copies a bundle as the daemon streamed it to out, signing its manifest
// when key is set (the key never leaves the machine that exports), and checks on
// the way that every blob the manifest lists arrives whole and matches its digest,
// so a bundle that was cut short is an error here rather than at the other site.
// progress hears the blob bytes copied so far, and their total.
func Finish(in io.Reader, out io.Writer, key ed25519.PrivateKey, progress func(done, total int64)) (*Manifest, error) {
	tr := tar.NewReader(in)
	tw := tar.NewWriter(out)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != ManifestName || hdr.Size > maxManifest {
		return nil, fmt.Errorf("the daemon's export does not start with its manifest: %v", err)
	}
	body, err := io.ReadAll(io.LimitReader(tr, maxManifest))
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(body)
	if err != nil {
		return nil, err
	}
	now := m.ExportedAt
	if err := writeMember(tw, ManifestName, int64(len(body)), bytes.NewReader(body), now); err != nil {
		return nil, err
	}
	if key != nil {
		sig := Sign(key, body)
		if err := writeMember(tw, SignatureName, int64(len(sig)), bytes.NewReader(sig), now); err != nil {
			return nil, err
		}
	}
	var copied, total int64
	for _, b := range m.Blobs {
		total += b.Size
	}
	for i, want := range m.Blobs {
		hdr, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("the export ended after %d of %d blobs: %v", i, len(m.Blobs), err)
		}
		if hdr.Name != blobDir+want.SHA256 || hdr.Size != want.Size {
			return nil, fmt.Errorf("the export's blob %d is %s, expected %s", i, hdr.Name, blobDir+want.SHA256)
		}
		h := sha256.New()
		n, err := copyMember(tw, hdr, io.TeeReader(tr, h), now)
		copied += n
		if err != nil {
			return nil, err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 {
			return nil, fmt.Errorf("blob %s read back as %s: the cache changed under the export", short(want.SHA256), short(got))
		}
		if progress != nil {
			progress(copied, total)
		}
	}
	if _, err := tr.Next(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("the export has more than its manifest lists: %v", err)
	}
	return m, tw.Close()
}

func copyMember(tw *tar.Writer, hdr *tar.Header, r io.Reader, now time.Time) (int64, error) {
	out := &tar.Header{Name: hdr.Name, Mode: 0o644, Size: hdr.Size, ModTime: now.UTC(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(out); err != nil {
		return 0, err
	}
	n, err := io.Copy(tw, r)
	if err == nil && n != hdr.Size {
		err = fmt.Errorf("%s: %d of %d bytes", hdr.Name, n, hdr.Size)
	}
	return n, err
}
