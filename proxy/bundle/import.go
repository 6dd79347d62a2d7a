package bundle

import (
	"archive/tar"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"hoard/cache"
	"hoard/formats"
)

// ImportOptions configure an import.
type ImportOptions struct {
	Mounts map[string]string // this site's mounts: name -> format
	// Keys must each have signed the manifest; none: the signature, if any, is not
	// checked.
	Keys   []ed25519.PublicKey
	DryRun bool
	// PublicURL and Formats let documents that name the exporting side's public URL
	// (npm's packuments) be rewritten for this site's; without them they are linked
	// as carried.
	PublicURL string
	Formats   map[string]formats.Format
}

// Report is what an import did, or with DryRun would do.
type Report struct {
	DryRun     bool      `json:"dry_run"`
	ExportedAt time.Time `json:"exported_at"`
	Signed     bool      `json:"signed"`
	Verified   bool      `json:"signature_verified"`
	Entries    int       `json:"entries"`
	Added      int       `json:"added"`
	Replaced   int       `json:"replaced"`
	Unchanged  int       `json:"unchanged"`
	// Kept: entries this site holds in a newer version than the bundle's.
	Kept    int `json:"kept"`
	Refused int `json:"refused"`
	// Rewritten: documents pointed at this site's public URL on the way in.
	Rewritten int `json:"rewritten"`
	// Refusals names refused entries with the reason (the first maxRefusals).
	Refusals []string `json:"refusals,omitempty"`
	// Seen: first-seen records taken (an earlier one here is kept).
	Seen         int    `json:"seen"`
	Blobs        int    `json:"blobs"`
	BlobsStored  int    `json:"blobs_stored"`
	BlobBytes    int64  `json:"blob_bytes"`
	PublishError string `json:"publish_error,omitempty"`
}

const maxRefusals = 100

// RefusedError is a bundle refused whole: nothing of it was published.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "bundle refused: " + e.Reason }

func refuse(format string, a ...any) error { return &RefusedError{Reason: fmt.Sprintf(format, a...)} }

// action is what an import does with one entry.
type action int

const (
	actAdd action = iota
	actReplace
	actUnchanged
	actKeep
	actRefuse
)

// Import reads a bundle from r: the manifest and its signature first, then every
// blob, each verified against its digest as it streams into the store; only when
// the bundle has ended cleanly with every blob verified are the entries published.
// A bundle refused for any reason publishes nothing and leaves no blob behind.
func Import(ctx context.Context, store *cache.Store, o ImportOptions, r io.Reader) (Report, error) {
	rep := Report{DryRun: o.DryRun}
	tr := tar.NewReader(cache.ContextReader(ctx, r))
	m, hdr, err := readHead(tr, o.Keys, &rep)
	if err != nil {
		return rep, err
	}
	rep.ExportedAt, rep.Entries, rep.Blobs = m.ExportedAt, len(m.Entries), len(m.Blobs)
	acts := plan(store, m, o, &rep)
	needed := map[string]bool{}
	for i, e := range m.Entries {
		if acts[i] == actAdd || acts[i] == actReplace {
			needed[e.SHA256] = true
		}
	}
	placed, err := readBlobs(tr, hdr, store, m, needed, o.DryRun, &rep)
	defer func() {
		for _, d := range placed {
			store.ReleaseBlob(d) // a no-op for every blob an entry now uses
		}
	}()
	if err != nil {
		return rep, err
	}
	if o.DryRun {
		return rep, nil
	}
	if err := store.SyncPlaced(placed); err != nil {
		return rep, err
	}
	if err := importSeen(store, m, o, &rep); err != nil {
		return rep, err
	}
	for i, e := range m.Entries {
		if acts[i] != actAdd && acts[i] != actReplace {
			continue
		}
		rewritten, err := publish(store, o, e)
		if rewritten {
			rep.Rewritten++
		}
		if err != nil {
			// A blob removed between its placing and this link (its last other
			// user evicted meanwhile): the entry stays as it was; importing again
			// completes it.
			rep.PublishError = fmt.Sprintf("%s: %v (import the bundle again)", e.CacheKey(), err)
			return rep, errors.New(rep.PublishError)
		}
	}
	return rep, nil
}

// importSeen takes the bundle's first-seen records of the mounts this site
// serves in the same format, before the entries they date are published.
func importSeen(store *cache.Store, m *Manifest, o ImportOptions, rep *Report) error {
	formatOf := map[string]string{}
	for _, e := range m.Entries {
		formatOf[e.Mount] = e.Format
	}
	for _, rec := range m.Seen {
		mount, _, _ := strings.Cut(rec.Name, "/")
		if here, ok := o.Mounts[mount]; !ok || (formatOf[mount] != "" && formatOf[mount] != here) {
			continue
		}
		if err := store.NoteSeen(rec); err != nil {
			return err
		}
		rep.Seen++
	}
	return nil
}

// readHead reads the manifest and its signature, checks the signature against
// every key, and returns the header after them.
func readHead(tr *tar.Reader, keys []ed25519.PublicKey, rep *Report) (*Manifest, *tar.Header, error) {
	hdr, err := tr.Next()
	if err != nil {
		return nil, nil, refuse("not a tar bundle: %v", err)
	}
	if hdr.Name != ManifestName || hdr.Size > maxManifest {
		return nil, nil, refuse("not a Hoard bundle: its first member is %q, not %s", hdr.Name, ManifestName)
	}
	body, err := io.ReadAll(tr)
	if err != nil {
		return nil, nil, refuse("the manifest is truncated: %v", err)
	}
	hdr, err = tr.Next()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, refuse("truncated after the manifest: %v", err)
	}
	var sig []byte
	if hdr != nil && hdr.Name == SignatureName {
		rep.Signed = true
		if sig, err = io.ReadAll(io.LimitReader(tr, 1024)); err != nil {
			return nil, nil, refuse("the signature is truncated: %v", err)
		}
		if hdr, err = tr.Next(); err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, refuse("truncated after the signature: %v", err)
		}
	}
	if len(keys) > 0 && sig == nil {
		return nil, nil, refuse("the bundle is not signed, and a verification key requires it (sign it with hoard export --sign-key)")
	}
	for _, k := range keys {
		if err := Verify(k, body, sig); err != nil {
			return nil, nil, refuse("%v", err)
		}
	}
	rep.Verified = len(keys) > 0
	m, err := ParseManifest(body)
	if err != nil {
		return nil, nil, refuse("%v", err)
	}
	return m, hdr, nil
}

// plan decides each entry's fate against this site's mounts and cache.
func plan(store *cache.Store, m *Manifest, o ImportOptions, rep *Report) []action {
	acts := make([]action, len(m.Entries))
	for i, e := range m.Entries {
		format, ok := o.Mounts[e.Mount]
		var why string
		switch {
		case !ok:
			why = "no mount " + e.Mount + " is configured here"
		case format != e.Format:
			why = fmt.Sprintf("mount %s serves %s here, the entry is %s", e.Mount, format, e.Format)
		}
		if why != "" {
			acts[i] = actRefuse
			rep.Refused++
			if len(rep.Refusals) < maxRefusals {
				rep.Refusals = append(rep.Refusals, e.CacheKey()+": "+why)
			}
			continue
		}
		cur, err := store.Lookup(e.CacheKey())
		switch {
		case err != nil:
			acts[i] = actAdd
			rep.Added++
		case cur.Digest == e.Digest(), cur.FetchedAt.Equal(e.FetchedAt) && cur.Mutable == e.Mutable:
			// The same bytes, or the same fetch (a document rewritten for this site
			// when it was first imported).
			acts[i] = actUnchanged
			rep.Unchanged++
		case cur.FetchedAt.After(e.FetchedAt):
			acts[i] = actKeep
			rep.Kept++
		default:
			acts[i] = actReplace
			rep.Replaced++
		}
	}
	return acts
}

// readBlobs reads every blob member, in the manifest's order, verifying each; the
// ones an entry needs and the store lacks are placed in the store. It returns the
// digests placed, for the caller to release.
func readBlobs(tr *tar.Reader, hdr *tar.Header, store *cache.Store, m *Manifest, needed map[string]bool,
	dryRun bool, rep *Report) ([]cache.Digest, error) {
	var placed []cache.Digest
	for i, want := range m.Blobs {
		if hdr == nil {
			return placed, refuse("blob %s (%d of %d) is missing: the bundle ends before it", short(want.SHA256), i+1, len(m.Blobs))
		}
		if hdr.Name != blobDir+want.SHA256 {
			if _, err := cache.ParseDigest("sha256:" + trimBlobDir(hdr.Name)); err == nil {
				return placed, refuse("blob %s is missing: the bundle has %s in its place", short(want.SHA256), short(trimBlobDir(hdr.Name)))
			}
			return placed, refuse("unexpected member %q where blob %s belongs", hdr.Name, short(want.SHA256))
		}
		if hdr.Size != want.Size {
			return placed, refuse("blob %s is %d bytes, the manifest says %d", short(want.SHA256), hdr.Size, want.Size)
		}
		d, err := readBlob(tr, store, want, needed[want.SHA256] && !dryRun)
		if d != "" {
			placed = append(placed, d)
			rep.BlobsStored++
		}
		if err != nil {
			return placed, err
		}
		rep.BlobBytes += want.Size
		var nerr error
		hdr, nerr = tr.Next()
		if errors.Is(nerr, io.EOF) {
			hdr = nil
		} else if nerr != nil {
			return placed, refuse("truncated after blob %s: %v", short(want.SHA256), nerr)
		}
	}
	if hdr != nil {
		return placed, refuse("unexpected member %q after the last blob the manifest lists", hdr.Name)
	}
	return placed, nil
}

func trimBlobDir(name string) string {
	if len(name) > len(blobDir) && name[:len(blobDir)] == blobDir {
		return name[len(blobDir):]
	}
	return name
}

// readBlob verifies one blob's bytes: into the store when store is set and the
// store lacks it, else only hashed. It returns the digest it placed, if any.
func readBlob(tr *tar.Reader, store *cache.Store, want Blob, keep bool) (cache.Digest, error) {
	d := cache.Digest("sha256:" + want.SHA256)
	if !keep || store.HasBlob(d) {
		h := sha256.New()
		n, err := io.Copy(h, tr)
		if err != nil {
			return "", refuse("blob %s is truncated: %v", short(want.SHA256), err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); n != want.Size || got != want.SHA256 {
			return "", refuse("blob %s does not match its digest (its bytes hash to %s): the bundle was changed or damaged",
				short(want.SHA256), short(got))
		}
		return "", nil
	}
	w, err := store.NewWriter(cache.WriterOptions{ExpectedSize: want.Size,
		Expected: []cache.Checksum{{Algo: "sha256", Hex: want.SHA256}}})
	if err != nil {
		return "", err
	}
	defer w.Cancel()
	if _, err := io.Copy(w, tr); err != nil {
		if errors.Is(err, cache.ErrVerify) {
			return "", refuse("blob %s is longer than the manifest says: the bundle was changed", short(want.SHA256))
		}
		return "", refuse("blob %s is truncated: %v", short(want.SHA256), err)
	}
	placedAs, err := w.Place()
	if errors.Is(err, cache.ErrVerify) {
		return "", refuse("blob %s does not match its digest (%v): the bundle was changed or damaged", short(want.SHA256), err)
	}
	if err != nil {
		return "", err
	}
	return placedAs, nil
}
