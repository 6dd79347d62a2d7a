package oci

import (
	"strconv"
	"sync"
)

// generations count, per repository, the pushes and deletes sent through this Hoard.
// Keys of mutable documents (tags, tag lists, referrers) carry the count, so after a
// write every reader misses and refetches: a listing cached under any query, or a
// 404 remembered for it, is never served past a change made here. The count starts
// at zero with the process, so entries cached before a restart are found again and
// served by their TTL as usual.
type generations struct {
	mu sync.Mutex
	n  map[string]uint64
}

// maxTrackedRepos bounds the map; past it the counts start over (a restart's worth
// of staleness, bounded by the TTL, in exchange for bounded memory).
const maxTrackedRepos = 100_000

func newGenerations() *generations { return &generations{n: map[string]uint64{}} }

func (g *generations) bump(repo string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.n) >= maxTrackedRepos {
		g.n = map[string]uint64{}
	}
	g.n[repo]++
}

// key suffixes key with repo's generation once there has been a write.
func (g *generations) key(repo, key string) string {
	if g == nil {
		return key
	}
	g.mu.Lock()
	n := g.n[repo]
	g.mu.Unlock()
	if n == 0 {
		return key
	}
	return key + "#" + strconv.FormatUint(n, 10)
}
