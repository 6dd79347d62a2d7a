package configs

import "errors"

// PinnedBudget is how many bytes pinned entries may hold: cache.max_pinned_size,
// or half of cache.max_size when that is unset; 0 when the cache has no budget
// (nothing is evicted, so pins need no ceiling). Pins are part of max_size, and
// eviction never removes them: capping them keeps at least max_size minus this
// for the least-recently-used entries, so pins cannot starve the LRU.
func (c Cache) PinnedBudget() int64 {
	switch {
	case c.MaxSize <= 0:
		return 0
	case c.MaxPinnedSize > 0:
		return int64(c.MaxPinnedSize)
	default:
		return int64(c.MaxSize) / 2
	}
}

func (c Cache) validatePinned() error {
	if c.MaxPinnedSize < 0 {
		return errors.New("must not be negative")
	}
	if c.MaxPinnedSize > 0 && c.MaxSize > 0 && c.MaxPinnedSize >= c.MaxSize {
		return errors.New("must be below cache.max_size: pins are part of it, and the rest is what the least recently used entries share")
	}
	if c.MaxPinnedSize > 0 && c.MaxSize <= 0 {
		return errors.New("needs cache.max_size: without a budget nothing is evicted and pins need no ceiling")
	}
	return nil
}
