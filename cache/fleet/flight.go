package fleet

import (
	"context"
	"sync"

	"hoard/cache"
)

// flight runs one call per key at a time; callers that arrive meanwhile share
// its result (the 200 clients of one node that all missed the same key). The
// call runs on its own goroutine: a caller whose context ends leaves, and the
// call goes on for the others (and for the store, which it fills).
type flight struct {
	mu sync.Mutex
	m  map[string]*call
}

type call struct {
	done  chan struct{}
	entry cache.Entry
	err   error
}

func (g *flight) do(ctx context.Context, key string, fn func() (cache.Entry, error)) (cache.Entry, error) {
	g.mu.Lock()
	c, ok := g.m[key]
	if !ok {
		if g.m == nil {
			g.m = map[string]*call{}
		}
		c = &call{done: make(chan struct{})}
		g.m[key] = c
		go func() {
			c.entry, c.err = fn()
			g.mu.Lock()
			delete(g.m, key)
			g.mu.Unlock()
			close(c.done)
		}()
	}
	g.mu.Unlock()
	select {
	case <-c.done:
		return c.entry, c.err
	case <-ctx.Done():
		return cache.Entry{}, ctx.Err()
	}
}
