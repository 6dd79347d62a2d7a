// Package usage keeps what the operator's status page and entry listing show
// beyond Prometheus' counters: hits per cache entry, requests and bytes per
// package, and the last errors answered. Everything lives in memory: a request
// costs a read-locked map lookup and a few atomic adds, never an index write.
// Save and Load carry the counts (not the errors) across restarts.
// It imports nothing of Hoard's.
package usage

import (
	"hash/maphash"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

const (
	shards = 64
	// MaxEntries and MaxPackages bound the memory a cache with many keys costs
	// (about 100 bytes a key): past them, new keys are counted only in Dropped.
	MaxEntries  = 200_000
	MaxPackages = 50_000
	// recentErrors is how many errors Errors keeps.
	recentErrors = 50
)

// Counter is safe for concurrent use; the zero value is not: use New.
type Counter struct {
	seed     maphash.Seed
	entries  [shards]entryShard
	packages [shards]packageShard
	nEntries atomic.Int64
	nPkgs    atomic.Int64
	dropped  atomic.Int64

	errMu  sync.Mutex
	errs   [recentErrors]Error
	errN   int // errors recorded so far; errs is a ring over the last ones
	errNow func() time.Time
}

type entryShard struct {
	mu sync.RWMutex
	m  map[string]*atomic.Int64
}

// PackageKey names a package within a mount.
type PackageKey struct {
	Mount   string `json:"mount"`
	Package string `json:"package"`
}

type packageCounts struct{ requests, hits, bytes atomic.Int64 }

type packageShard struct {
	mu sync.RWMutex
	m  map[PackageKey]*packageCounts
}

// New returns an empty counter.
func New() *Counter {
	c := &Counter{seed: maphash.MakeSeed(), errNow: time.Now}
	for i := range c.entries {
		c.entries[i].m = map[string]*atomic.Int64{}
		c.packages[i].m = map[PackageKey]*packageCounts{}
	}
	return c
}

// Served counts one answer about a cached package: key is the full cache key
// ("mount/path"), hit whether the cache answered without fetching, bytes the body
// bytes sent. A request without a package (a search, a catalog) passes pkg "".
func (c *Counter) Served(mount, pkg, key string, hit bool, bytes int64) {
	if hit && key != "" {
		if n := c.entryCount(key); n != nil {
			n.Add(1)
		}
	}
	if pkg == "" {
		return
	}
	if p := c.packageCount(PackageKey{mount, pkg}); p != nil {
		p.requests.Add(1)
		p.bytes.Add(bytes)
		if hit {
			p.hits.Add(1)
		}
	}
}

func (c *Counter) entryCount(key string) *atomic.Int64 {
	sh := &c.entries[maphash.String(c.seed, key)%shards]
	sh.mu.RLock()
	n := sh.m[key]
	sh.mu.RUnlock()
	if n != nil {
		return n
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if n = sh.m[key]; n == nil {
		if c.nEntries.Load() >= MaxEntries {
			c.dropped.Add(1)
			return nil
		}
		n = new(atomic.Int64)
		sh.m[key] = n
		c.nEntries.Add(1)
	}
	return n
}

func (c *Counter) packageCount(k PackageKey) *packageCounts {
	sh := &c.packages[(maphash.String(c.seed, k.Mount)^maphash.String(c.seed, k.Package))%shards]
	sh.mu.RLock()
	p := sh.m[k]
	sh.mu.RUnlock()
	if p != nil {
		return p
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if p = sh.m[k]; p == nil {
		if c.nPkgs.Load() >= MaxPackages {
			c.dropped.Add(1)
			return nil
		}
		p = &packageCounts{}
		sh.m[k] = p
		c.nPkgs.Add(1)
	}
	return p
}

// Hits is how often the cache answered for key.
func (c *Counter) Hits(key string) int64 {
	sh := &c.entries[maphash.String(c.seed, key)%shards]
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	if n := sh.m[key]; n != nil {
		return n.Load()
	}
	return 0
}

// Forget drops key's hits: a purged entry starts again from zero.
func (c *Counter) Forget(key string) {
	sh := &c.entries[maphash.String(c.seed, key)%shards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[key]; ok {
		delete(sh.m, key)
		c.nEntries.Add(-1)
	}
}

// Dropped is how many counts went uncounted because the maps were full.
func (c *Counter) Dropped() int64 { return c.dropped.Load() }

// PackageUsage is one package's traffic since start.
type PackageUsage struct {
	PackageKey
	Requests int64 `json:"requests"`
	Hits     int64 `json:"hits"`
	Bytes    int64 `json:"bytes"` // body bytes served
}

// Top returns the n packages with the most hits and the n with the most bytes
// served, each sorted by its own figure, largest first.
func (c *Counter) Top(n int) (byHits, byBytes []PackageUsage) {
	var all []PackageUsage
	for i := range c.packages {
		sh := &c.packages[i]
		sh.mu.RLock()
		for k, p := range sh.m {
			all = append(all, PackageUsage{PackageKey: k, Requests: p.requests.Load(), Hits: p.hits.Load(), Bytes: p.bytes.Load()})
		}
		sh.mu.RUnlock()
	}
	return topBy(all, n, func(u PackageUsage) int64 { return u.Hits }),
		topBy(all, n, func(u PackageUsage) int64 { return u.Bytes })
}

func topBy(all []PackageUsage, n int, by func(PackageUsage) int64) []PackageUsage {
	s := make([]PackageUsage, 0, len(all))
	for _, u := range all {
		if by(u) > 0 {
			s = append(s, u)
		}
	}
	sort.Slice(s, func(i, j int) bool {
		if by(s[i]) != by(s[j]) {
			return by(s[i]) > by(s[j])
		}
		if s[i].Mount != s[j].Mount {
			return s[i].Mount < s[j].Mount
		}
		return s[i].Package < s[j].Package
	})
	return s[:min(n, len(s))]
}
