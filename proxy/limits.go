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

func (e *engine) artifactTooLarge(size int64) error {
	return &overLimit{what: "artifact", setting: "cache.max_artifact_size", limit: e.maxSize, size: size}
}

func (e *engine) metadataTooLarge(size int64) error {
	return &overLimit{what: "metadata document", setting: "cache.max_metadata_size", limit: e.maxMetadata, size: size}
}
