package usage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Prune forgets the hits of keys exists reports gone (evicted, purged, expired),
// so that the bounded table keeps room for keys that are cached. exists is called
// without any lock held. It returns how many keys were forgotten.
func (c *Counter) Prune(exists func(key string) bool) int {
	n := 0
	for i := range c.entries {
		sh := &c.entries[i]
		sh.mu.RLock()
		keys := make([]string, 0, len(sh.m))
		for k := range sh.m {
			keys = append(keys, k)
		}
		sh.mu.RUnlock()
		var gone []string
		for _, k := range keys {
			if !exists(k) {
				gone = append(gone, k)
			}
		}
		sh.mu.Lock()
		for _, k := range gone {
			if _, ok := sh.m[k]; ok {
				delete(sh.m, k)
				c.nEntries.Add(-1)
				n++
			}
		}
		sh.mu.Unlock()
	}
	return n
}

// saved is the file Save writes: the counts, not the recent errors.
type saved struct {
	Entries  map[string]int64 `json:"entries"`
	Packages []PackageUsage   `json:"packages"`
}

// Save writes the counts to path whole or not at all (a temporary file renamed
// over it), so that a restart keeps them; a crash loses what came since the last
// Save.
func (c *Counter) Save(path string) error {
	out := saved{Entries: map[string]int64{}}
	for i := range c.entries {
		sh := &c.entries[i]
		sh.mu.RLock()
		for k, n := range sh.m {
			if v := n.Load(); v > 0 {
				out.Entries[k] = v
			}
		}
		sh.mu.RUnlock()
	}
	for i := range c.packages {
		sh := &c.packages[i]
		sh.mu.RLock()
		for k, p := range sh.m {
			out.Packages = append(out.Packages, PackageUsage{PackageKey: k, Requests: p.requests.Load(), Hits: p.hits.Load(), Bytes: p.bytes.Load()})
		}
		sh.mu.RUnlock()
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".usage-*")
	if err != nil {
		return fmt.Errorf("usage: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing left to remove
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("usage: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("usage: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("usage: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("usage: %w", err)
	}
	return nil
}

// Load adds the counts a Save wrote to path; a missing file is no error (the first
// start). Counts beyond the tables' bounds are dropped.
func (c *Counter) Load(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("usage: %w", err)
	}
	var in saved
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("usage: %s is not a usage file: %w", path, err)
	}
	for k, v := range in.Entries {
		if n := c.entryCount(k); n != nil && v > 0 {
			n.Add(v)
		}
	}
	for _, u := range in.Packages {
		if p := c.packageCount(u.PackageKey); p != nil {
			p.requests.Add(u.Requests)
			p.hits.Add(u.Hits)
			p.bytes.Add(u.Bytes)
		}
	}
	return nil
}
