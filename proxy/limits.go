package proxy

import (
	"fmt"

	"hoard/cache"
)

// defaultMaxMetadata is cache.max_metadata_size when the configuration leaves it 0.
const defaultMaxMetadata = 256 << 20

// overLimit is a body refused for its size. Its message names the limit, the
// setting that raises it and the size, so an operator knows which knob to turn;
// it matches cache.ErrTooLarge.
type overLimit struct {
	what    string // "artifact", "metadata document"
	setting string // the configuration key
	limit   int64
	size    int64 // -1 when only known to be past the limit
}

func (e *overLimit) Error() string {
	size := "more than the limit"
	if e.size >= 0 {
		size = fmt.Sprintf("%d bytes", e.size)
	}
	return fmt.Sprintf("%s is %s, over %s (%d bytes)", e.what, size, e.setting, e.limit)
}

func (e *overLimit) Unwrap() error { return cache.ErrTooLarge }

func (e *engine) artifactTooLarge(m *mount, size int64) error {
	limit, setting := e.artifactLimit(m)
	return &overLimit{what: "artifact", setting: setting, limit: limit, size: size}
}

// artifactLimit is the smaller of cache.max_artifact_size and the mount policy's
// max_artifact_size (0 when neither is set), and the key that sets it.
func (e *engine) artifactLimit(m *mount) (int64, string) {
	limit, setting := e.maxSize, "cache.max_artifact_size"
	if p := m.policy.Load().MaxSize(); p > 0 && (limit <= 0 || p < limit) {
		limit, setting = p, "the policy max_artifact_size of mount "+m.name
	}
	return limit, setting
}

func (e *engine) metadataTooLarge(size int64) error {
	return &overLimit{what: "metadata document", setting: "cache.max_metadata_size", limit: e.maxMetadata, size: size}
}
