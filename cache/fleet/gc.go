package fleet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"time"
)

// GCReport is what a GC of the bucket did.
type GCReport struct {
	Entries        int   // records read
	EntriesRemoved int   // records past the retention
	Blobs          int   // blobs listed
	BlobsRemoved   int   // blobs no record references, older than the grace period
	BytesRemoved   int64 // their size
	LeasesRemoved  int   // leases of crashed nodes, long stale
}

// GC removes records past the retention, then blobs that no record references
// and that were neither uploaded nor referenced anew (their refs object) within
// the grace period. The order is what keeps a referenced blob: blobs are listed
// first, records after, so a record written during the run is either seen or
// written after its publisher wrote the blob's refs object (Publish does so
// before the record); each candidate's refs object is looked at again just
// before the blob is removed.
func (t *Tier) GC(ctx context.Context) (GCReport, error) {
	var rep GCReport
	now := time.Now()
	blobs, err := t.listNamed(ctx, blobPrefix, blobObject)
	if err != nil {
		return rep, fmt.Errorf("fleet gc: list blobs: %w", err)
	}
	refs, err := t.listNamed(ctx, refPrefix, refObject)
	if err != nil {
		return rep, fmt.Errorf("fleet gc: list references: %w", err)
	}
	rep.Blobs = len(blobs)
	referenced, err := t.markRecords(ctx, now, &rep)
	if err != nil {
		return rep, err
	}
	young := func(o Object) bool { return now.Sub(o.LastModified) < t.o.Grace }
	for hx, o := range blobs {
		if referenced[hx] || young(o) || young(refs[hx]) {
			continue
		}
		if ref, err := t.o.Bucket.Head(ctx, refObject(hx)); err == nil && young(ref) {
			continue // referenced anew since the listing
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return rep, fmt.Errorf("fleet gc: %w", err)
		}
		if err := t.o.Bucket.Delete(ctx, o.Key, o.ETag); err != nil {
			return rep, fmt.Errorf("fleet gc: remove blob: %w", err)
		}
		rep.BlobsRemoved++
		rep.BytesRemoved += o.Size
	}
	for hx, o := range refs {
		if _, blob := blobs[hx]; (!blob || !referenced[hx]) && !young(o) {
			if err := t.o.Bucket.Delete(ctx, o.Key, o.ETag); err != nil {
				return rep, fmt.Errorf("fleet gc: remove reference: %w", err)
			}
		}
	}
	err = t.sweepLeases(ctx, now, &rep)
	return rep, err
}

// listNamed lists the objects under prefix that are named by a digest as name
// would name them, by that digest.
func (t *Tier) listNamed(ctx context.Context, prefix string, name func(string) string) (map[string]Object, error) {
	found := map[string]Object{}
	err := t.o.Bucket.List(ctx, prefix, func(o Object) error {
		if hx := path.Base(o.Key); validHex(hx) && o.Key == name(hx) {
			found[hx] = o
		}
		return nil
	})
	return found, err
}

// markRecords reads every record, removes those past the retention and
// returns the digests the others reference.
func (t *Tier) markRecords(ctx context.Context, now time.Time, rep *GCReport) (map[string]bool, error) {
	referenced := map[string]bool{}
	var keys []Object
	if err := t.o.Bucket.List(ctx, entryPrefix, func(o Object) error { keys = append(keys, o); return nil }); err != nil {
		return nil, fmt.Errorf("fleet gc: list records: %w", err)
	}
	for _, o := range keys {
		rep.Entries++
		if t.o.Retention > 0 && now.Sub(o.LastModified) > t.o.Retention {
			if err := t.o.Bucket.Delete(ctx, o.Key, o.ETag); err != nil {
				return nil, fmt.Errorf("fleet gc: remove record: %w", err)
			}
			rep.EntriesRemoved++
			continue
		}
		hx, err := t.recordDigest(ctx, o.Key)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			// An unreadable record keeps nothing alive, but an unreachable one
			// must stop the sweep: its blob may be referenced.
			if ctx.Err() != nil {
				return nil, err
			}
			t.log.Warn().Err(err).Str("record", o.Key).Msg("gc: unreadable entry record")
			continue
		}
		referenced[hx] = true
	}
	return referenced, nil
}

func (t *Tier) recordDigest(ctx context.Context, obj string) (string, error) {
	body, _, err := t.o.Bucket.Get(ctx, obj)
	if err != nil {
		return "", err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, maxRecord+1))
	if err != nil {
		return "", err
	}
	r, err := parseRecord(b, "")
	if err != nil {
		return "", err
	}
	return r.Digest.Hex(), nil
}

// sweepLeases removes leases unrenewed for many lease lives: a node killed
// mid-fill leaves one that the next fill of that key would take over anyway.
func (t *Tier) sweepLeases(ctx context.Context, now time.Time, rep *GCReport) error {
	return t.o.Bucket.List(ctx, leasePrefix, func(o Object) error {
		if now.Sub(o.LastModified) < 10*t.o.LeaseTTL {
			return nil
		}
		if err := t.o.Bucket.Delete(ctx, o.Key, o.ETag); err != nil {
			return err
		}
		rep.LeasesRemoved++
		return nil
	})
}
