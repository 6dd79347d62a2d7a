package policy

import (
	"path"
	"strings"
)

// PinPatterns are the configured pins of each mount: cache key patterns within
// the mount, as `hoard pin` takes them.
type PinPatterns map[string][]string

// Covers reports whether the full cache key ("MOUNT/KEY") is pinned: a pattern
// matches the key within its mount or any of its leading path segments, so
// "com/acme/*" covers com/acme/lib/1.0/lib-1.0.jar and "@acme/*" every file of
// an @acme package.
func (p PinPatterns) Covers(fullKey string) bool {
	mount, key, ok := strings.Cut(fullKey, "/")
	if !ok {
		return false
	}
	for _, pat := range p[mount] {
		for k := key; ; k = path.Dir(k) {
			if ok, _ := path.Match(pat, k); ok {
				return true
			}
			if !strings.Contains(k, "/") {
				break
			}
		}
	}
	return false
}
