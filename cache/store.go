package cache

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/ristretto/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/rs/zerolog"
)

// Options configure a Store. Zero values pick the defaults noted per field.
type Options struct {
	Dir        string        // data dir: Dir/blobs/sha256/ab/<hex>, Dir/tmp, Dir/index
	MaxSize    int64         // byte budget of distinct blobs; 0 = unlimited
	HotBytes   int64         // ristretto budget for small blobs' bytes (default 64 MiB)
	HotMaxItem int64         // largest blob kept in the hot tier (default 256 KiB)
	TouchFlush time.Duration // how often batched access times are written (default 2s)
	// TouchResolution is how stale a recorded access time may get: a key served
	// again within the same interval is not queued again (default 1 minute).
	TouchResolution time.Duration
	Logger          zerolog.Logger
	ReadOnly        bool // for tools that only read: no writes, no tmp sweep, no flusher
	// Progress, if set, hears how far Verify and GC have got, in blob files and
	// their bytes.
	Progress func(done, total int, doneBytes, totalBytes int64)

	// EntryBytes is the ristretto budget for decoded index entries (default 16 MiB,
	// roughly 60,000 entries).
	EntryBytes int64
}

const (
	defaultHotBytes   = 64 << 20
	defaultHotMaxItem = 256 << 10
	defaultTouchFlush = 2 * time.Second
	defaultTouchRes   = time.Minute
	defaultEntryBytes = 16 << 20

	// genStripes trades memory (8 bytes each) for how many unrelated keys a
	// mutation knocks out of the entry cache.
	genStripes = 16384
	// digestStripes serialises commit and unreference of the same blob.
	digestStripes = 256
	// touchQueue is how many Touch calls may wait for the flusher before drops.
	touchQueue = 8192
)

// Store is the content-addressed cache. All methods are safe for concurrent use.
type Store struct {
	opts    Options
	log     zerolog.Logger
	db      *badger.DB
	blobDir string
	tmpDir  string

	blobs   *ristretto.Cache[string, []byte]   // digest hex -> verified bytes
	entries *ristretto.Cache[string, hotEntry] // cache key -> entry + generation
	// promoted: when a large blob was last read into the hot tier (see mayPromote).
	promoted *lru.Cache[string, time.Time]
	// verified: blobs hashed since the store opened (see firstserve.go).
	verified *lru.Cache[[32]byte, struct{}]
	seed     maphash.Seed
	gens     []atomic.Uint64 // per key stripe, bumped after every index change
	digMu    [digestStripes]sync.Mutex

	bytes     atomic.Int64
	nEntries  atomic.Int64
	evictions atomic.Int64
	// countMu is held for reading by every index change that moves the
	// counters, and for writing by saveCounters (see counted).
	countMu     sync.RWMutex
	countsSaved bool

	touchCh  chan string
	touched  []atomic.Uint64 // see Touch
	flushReq chan chan struct{}
	stop     chan struct{}
	ctx      context.Context // cancelled by Close; bounds background work
	cancel   context.CancelFunc

	lifeMu   sync.Mutex // guards closed and the WaitGroup Adds against Close
	closed   bool
	bg       sync.WaitGroup // flusher
	evictWG  sync.WaitGroup // evictor runs
	evicting atomic.Bool
	closeErr error

	sweptFiles int   // temp files of interrupted fills removed at Open
	sweptBytes int64 // and their size

	pinRule atomic.Pointer[PinRule] // see SetPinRule
}

// Open prepares the directories, clears leftovers of interrupted fills, opens
// the index and starts the access-time flusher.
func Open(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, errors.New("cache: Options.Dir is empty")
	}
	opts = withDefaults(opts)
	s := &Store{
		opts:     opts,
		log:      opts.Logger.With().Str("component", "cache").Logger(),
		blobDir:  filepath.Join(opts.Dir, "blobs", "sha256"),
		tmpDir:   filepath.Join(opts.Dir, "tmp"),
		seed:     maphash.MakeSeed(),
		gens:     make([]atomic.Uint64, genStripes),
		promoted: newPromoted(), verified: newVerified(),
		touchCh:  make(chan string, touchQueue),
		touched:  make([]atomic.Uint64, touchSlots),
		flushReq: make(chan chan struct{}),
		stop:     make(chan struct{}),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if !opts.ReadOnly {
		if err := s.prepareDirs(); err != nil {
			return nil, err
		}
	}
	if err := s.openParts(); err != nil {
		s.cancel()
		return nil, err
	}
	if !opts.ReadOnly {
		// Only now, holding the index's lock: a second process opened on a live
		// daemon's directory must fail before it deletes that daemon's temp files.
		if err := s.sweepTmp(); err != nil {
			s.closeHotTiers()
			_ = s.db.Close()
			s.cancel()
			return nil, err
		}
		s.bg.Add(1)
		go s.flusher()
		s.maybeEvict()
	}
	return s, nil
}

func withDefaults(o Options) Options {
	if o.HotBytes <= 0 {
		o.HotBytes = defaultHotBytes
	}
	if o.HotMaxItem <= 0 {
		o.HotMaxItem = defaultHotMaxItem
	}
	if o.TouchFlush <= 0 {
		o.TouchFlush = defaultTouchFlush
	}
	if o.TouchResolution <= 0 {
		o.TouchResolution = defaultTouchRes
	}
	if o.EntryBytes <= 0 {
		o.EntryBytes = defaultEntryBytes
	}
	return o
}

// openParts opens badger and the hot tiers and loads the counters, closing
// whatever it opened if a later step fails.
func (s *Store) openParts() error {
	db, err := badger.Open(badgerOptions(s.opts, s.log))
	if err != nil {
		return fmt.Errorf("cache: open index: %w", err)
	}
	s.db = db
	if err = s.newHotTiers(); err == nil {
		err = s.loadCounters()
	}
	if err != nil {
		s.closeHotTiers()
		_ = db.Close()
		return err
	}
	return nil
}

// prepareDirs creates every shard directory up front, so a commit only has to
// fsync the one directory it renames into. Open empties tmp once it holds the
// index: a temp file left there is a fill that a crash interrupted and nothing
// indexed.
func (s *Store) prepareDirs() error {
	for _, d := range []string{s.tmpDir, filepath.Join(s.opts.Dir, "index")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("cache: %w", err)
		}
	}
	for i := 0; i < 256; i++ {
		if err := os.MkdirAll(filepath.Join(s.blobDir, fmt.Sprintf("%02x", i)), 0o755); err != nil {
			return fmt.Errorf("cache: %w", err)
		}
	}
	return syncDir(s.blobDir)
}

func (s *Store) sweepTmp() error {
	ents, err := os.ReadDir(s.tmpDir)
	if err != nil {
		return fmt.Errorf("cache: read tmp: %w", err)
	}
	for _, e := range ents {
		if info, err := e.Info(); err == nil {
			s.sweptBytes += info.Size()
		}
		if err := os.RemoveAll(filepath.Join(s.tmpDir, e.Name())); err != nil {
			return fmt.Errorf("cache: sweep tmp: %w", err)
		}
		s.sweptFiles++
	}
	if len(ents) > 0 {
		s.log.Info().Int("removed", len(ents)).Msg("removed interrupted temp files")
	}
	return nil
}

// CompactIndex folds the index's levels into one, the state a long-running
// cache's index settles towards by itself. Tools that write many entries at
// once call it, so that the next open does not begin with a backlog of
// compactions. Writes made meanwhile compete with it; it is meant for a store
// nothing else is using.
func (s *Store) CompactIndex() error {
	if err := s.db.Flatten(2); err != nil {
		return fmt.Errorf("cache: compact index: %w", err)
	}
	return nil
}

// Close writes pending access times, stops background work and closes the
// index. It is idempotent; later calls return the first call's result.
func (s *Store) Close() error {
	s.lifeMu.Lock()
	if s.closed {
		s.lifeMu.Unlock()
		return s.closeErr
	}
	s.closed = true
	s.lifeMu.Unlock()

	s.cancel()
	close(s.stop)
	s.bg.Wait()
	s.evictWG.Wait()
	s.closeHotTiers()
	if !s.opts.ReadOnly {
		s.saveCounters()
	}
	if err := s.db.Close(); err != nil {
		s.closeErr = fmt.Errorf("cache: close index: %w", err)
	}
	return s.closeErr
}

// Stats reads the counters; cheap enough for every metrics scrape.
func (s *Store) Stats() Stats {
	return Stats{
		Bytes:     s.bytes.Load(),
		Entries:   s.nEntries.Load(),
		Evictions: s.evictions.Load(),
	}
}

// lockDigest serialises everything that decides whether a blob file exists:
// placing it at commit, linking to it, and removing it once unreferenced.
func (s *Store) lockDigest(hex string) func() {
	mu := &s.digMu[hexByte(hex)]
	mu.Lock()
	return mu.Unlock
}

// hexByte is the value of the first two hex characters (the shard).
func hexByte(hex string) int {
	v := func(c byte) int {
		if c <= '9' {
			return int(c - '0')
		}
		return int(c-'a') + 10
	}
	return v(hex[0])<<4 | v(hex[1])
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("cache: fsync %s: %w", dir, err)
	}
	return nil
}
