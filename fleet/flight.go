package fleet

import (
	"sync"

	"hoard/cache"
)

// flight runs one call per key at a time; callers that arrive meanwhile share
// its result (the 200 clients of one node that all missed the same key).
type flight struct {
	mu sync.Mutex
	m  map[string]*call
}

type call struct {
	done  chan struct{}
	entry cache.Entry
	err   error
}

func (g *flight) do(key string, fn func() (cache.Entry, error)) (cache.Entry, error) {
	g.mu.Lock()
	if c, ok := g.m[key]; ok {
		g.mu.Unlock()
		<-c.done
		return c.entry, c.err
	}
	if g.m == nil {
		g.m = map[string]*call{}
	}
	c := &call{done: make(chan struct{})}
	g.m[key] = c
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.m, key)
		g.mu.Unlock()
		close(c.done)
	}()
	c.entry, c.err = fn()
	return c.entry, c.err
}
