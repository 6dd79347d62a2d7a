package fleet

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
)

// Options configure a Tier. Zero durations take the defaults noted.
type Options struct {
	Bucket Bucket
	Store  *cache.Store // the hot tier; nil only for a tier used for GC alone
	Node   string       // this node's name, written into records and leases
	// LeaseTTL: a lease not renewed for this long is a crashed node's and may be
	// taken over (default 15s; renewed every third of it).
	LeaseTTL time.Duration
	// Grace: GC never removes a blob written or re-referenced within it (default 24h).
	Grace time.Duration
	// Retention: GC removes entry records older than this (0 keeps them).
	Retention time.Duration
	// MaxSize caps a blob imported from the bucket (0: no cap).
	MaxSize int64
	// Timeout bounds one publish or import (default 5m).
	Timeout time.Duration
	// CallTimeout bounds each small request a fill makes before it goes
	// upstream (lease, record): a bucket that hangs costs that, then a fill
	// without it (default 10s).
	CallTimeout time.Duration
	Logger      zerolog.Logger
}

// Tier is the shared blob tier. All methods are safe for concurrent use.
type Tier struct {
	o       Options
	log     zerolog.Logger
	imports flight
	stats   counters
}

type counters struct {
	imported, importMisses, published, uploaded, leaseWaits, leaseTakeovers, errors atomic.Int64
}

// Stats are the tier's counters since start.
type Stats struct {
	Imported       int64 // entries a local miss found in the bucket
	ImportMisses   int64 // local misses the bucket did not have either
	Published      int64 // entry records written
	Uploaded       int64 // blobs uploaded (the others were there already)
	LeaseWaits     int64 // fills that waited for another node's
	LeaseTakeovers int64 // leases of crashed or stalled nodes taken over
	Errors         int64 // bucket errors, each answered as a miss
}

const (
	defaultLeaseTTL = 15 * time.Second
	defaultGrace    = 24 * time.Hour
	defaultTimeout  = 5 * time.Minute
	defaultCall     = 10 * time.Second
)

// New returns a tier over o.Bucket in front of which o.Store is the hot tier.
func New(o Options) (*Tier, error) {
	if o.Bucket == nil {
		return nil, errors.New("fleet: a bucket is needed")
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = defaultLeaseTTL
	}
	if o.Grace <= 0 {
		o.Grace = defaultGrace
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = defaultCall
	}
	return &Tier{o: o, log: o.Logger.With().Str("component", "fleet").Logger()}, nil
}

// Stats reads the counters.
func (t *Tier) Stats() Stats {
	c := &t.stats
	return Stats{c.imported.Load(), c.importMisses.Load(), c.published.Load(), c.uploaded.Load(),
		c.leaseWaits.Load(), c.leaseTakeovers.Load(), c.errors.Load()}
}

// Publish shares a committed entry: its blob first (uploaded unless the bucket
// has it, and only ever from the verified local file), then the record that
// points at it. A reader never finds a record whose blob was not yet there.
func (t *Tier) Publish(ctx context.Context, e cache.Entry) error {
	ctx, cancel := context.WithTimeout(ctx, t.o.Timeout)
	defer cancel()
	hx := e.Digest.Hex()
	if hx == "" || e.Mutable {
		return fmt.Errorf("fleet: entry %q cannot be shared", e.Key)
	}
	if err := t.ensureBlob(ctx, e); err != nil {
		t.stats.errors.Add(1)
		return err
	}
	b, err := json.Marshal(recordOf(e, t.o.Node))
	if err != nil {
		return err
	}
	if err := t.o.Bucket.Put(ctx, entryObject(e.Key), bytes.NewReader(b), int64(len(b)), PutOptions{}); err != nil {
		t.stats.errors.Add(1)
		return fmt.Errorf("fleet: write entry record: %w", err)
	}
	t.stats.published.Add(1)
	// A GC that listed the records before this one was written, and whose
	// candidate check ran before ensureBlob refreshed the blob, may have removed
	// it meanwhile: look once more, so the record does not point at nothing.
	if _, err := t.o.Bucket.Head(ctx, blobObject(hx)); errors.Is(err, ErrNotFound) {
		return t.ensureBlob(ctx, e)
	}
	return nil
}

// ensureBlob uploads the blob unless it is there; a blob that is there but old
// gets its refs object written, so the GC's grace period runs from this new
// reference.
func (t *Tier) ensureBlob(ctx context.Context, e cache.Entry) error {
	key := blobObject(e.Digest.Hex())
	obj, err := t.o.Bucket.Head(ctx, key)
	switch {
	case err == nil:
		if time.Since(obj.LastModified) > t.o.Grace/2 {
			ref := refObject(e.Digest.Hex())
			if err := t.o.Bucket.Put(ctx, ref, strings.NewReader(""), 0, PutOptions{}); err != nil {
				return fmt.Errorf("fleet: refresh blob reference: %w", err)
			}
		}
		return nil
	case errors.Is(err, ErrNotFound):
		return t.upload(ctx, e, key)
	default:
		return fmt.Errorf("fleet: look up blob: %w", err)
	}
}

// upload puts the local blob file at its content address, only if nothing is
// there (If-None-Match: *), with its sha256 for the server to check. S3 makes
// an object visible only once every byte arrived, so a node killed mid-upload
// leaves nothing at the key.
func (t *Tier) upload(ctx context.Context, e cache.Entry, key string) error {
	f, err := t.o.Store.OpenBlob(e)
	if err != nil {
		return fmt.Errorf("fleet: open local blob: %w", err)
	}
	defer f.Close()
	sum, err := hex.DecodeString(e.Digest.Hex())
	if err != nil {
		return err
	}
	err = t.o.Bucket.Put(ctx, key, f, e.Size, PutOptions{IfAbsent: true, SHA256: sum})
	if errors.Is(err, ErrExists) {
		return nil // another node uploaded the same bytes first
	}
	if err != nil {
		return fmt.Errorf("fleet: upload blob: %w", err)
	}
	t.stats.uploaded.Add(1)
	return nil
}

// Import looks key up in the bucket and, when a record names it, brings its
// blob into the local store (verified against the record's digest and size) and
// indexes the entry. ErrNotFound when the bucket has no usable record. Calls
// for one key on this node share one import, which goes on (within Timeout)
// when the caller whose context ended leaves.
func (t *Tier) Import(ctx context.Context, key string) (cache.Entry, error) {
	return t.imports.do(ctx, key, func() (cache.Entry, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.o.Timeout)
		defer cancel()
		e, err := t.importOnce(ctx, key)
		switch {
		case err == nil:
			t.stats.imported.Add(1)
		case errors.Is(err, ErrNotFound):
			t.stats.importMisses.Add(1)
		default:
			t.stats.errors.Add(1)
			t.log.Warn().Err(err).Str("key", key).Msg("shared tier lookup failed; treated as a miss")
		}
		return e, err
	})
}

func (t *Tier) importOnce(ctx context.Context, key string) (cache.Entry, error) {
	r, err := t.readRecord(ctx, key)
	if err != nil {
		return cache.Entry{}, err
	}
	e := r.entry()
	if t.o.Store.HasBlob(e.Digest) {
		if err := t.o.Store.Link(key, e); err == nil {
			return t.o.Store.Lookup(key)
		}
	}
	body, obj, err := t.o.Bucket.Get(ctx, blobObject(e.Digest.Hex()))
	if err != nil {
		return cache.Entry{}, fmt.Errorf("fleet: blob of %q: %w", key, err)
	}
	defer body.Close()
	if obj.Size != e.Size {
		return cache.Entry{}, fmt.Errorf("fleet: blob of %q has %d bytes, its record says %d", key, obj.Size, e.Size)
	}
	w, err := t.o.Store.NewWriter(cache.WriterOptions{ExpectedSize: e.Size, MaxSize: t.o.MaxSize,
		Expected: []cache.Checksum{{Algo: "sha256", Hex: e.Digest.Hex()}}})
	if err != nil {
		return cache.Entry{}, err
	}
	defer w.Cancel()
	if _, err := io.Copy(w, body); err != nil {
		return cache.Entry{}, fmt.Errorf("fleet: read blob of %q: %w", key, err)
	}
	return w.Commit(key, e)
}

func (t *Tier) readRecord(ctx context.Context, key string) (record, error) {
	body, _, err := t.o.Bucket.Get(ctx, entryObject(key))
	if err != nil {
		return record{}, err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, maxRecord+1))
	if err != nil {
		return record{}, fmt.Errorf("fleet: read entry record: %w", err)
	}
	if len(b) > maxRecord {
		return record{}, errors.New("fleet: entry record too large")
	}
	return parseRecord(b, key)
}

// Forget removes key's record, after a publish or delete through this node
// changed it upstream: other nodes must not import the old content. Its blob is
// left to the GC.
func (t *Tier) Forget(ctx context.Context, key string) error {
	return t.o.Bucket.Delete(ctx, entryObject(key), "")
}
