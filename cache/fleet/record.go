package fleet

import (
	"encoding/json"
	"fmt"
	"time"

	"hoard/cache"
)

// recordVersion is the entry record's format; a record of another version is
// ignored (a miss), so nodes of different versions can share a bucket.
const recordVersion = 1

// maxRecord caps an entry record read from the bucket.
const maxRecord = 64 << 10

// record is an entry as the fleet shares it: what a cache key names, and the
// fields a node needs to serve it. Per-node state (access times, pins, access
// verdicts) is not in it.
type record struct {
	V            int               `json:"v"`
	Key          string            `json:"key"`
	Digest       cache.Digest      `json:"digest"`
	Size         int64             `json:"size"`
	ContentType  string            `json:"ct,omitempty"`
	ETag         string            `json:"etag,omitempty"`
	LastModified string            `json:"lm,omitempty"`
	FetchedAt    time.Time         `json:"fetched"`
	Private      bool              `json:"private,omitempty"` // each node still checks access itself
	Source       string            `json:"src,omitempty"`
	Header       map[string]string `json:"h,omitempty"`
	Node         string            `json:"node,omitempty"` // who published it, for operators
}

func recordOf(e cache.Entry, node string) record {
	return record{V: recordVersion, Key: e.Key, Digest: e.Digest, Size: e.Size, ContentType: e.ContentType,
		ETag: e.ETag, LastModified: e.LastModified, FetchedAt: e.FetchedAt, Private: e.Private,
		Source: e.Source, Header: e.Header, Node: node}
}

// parseRecord reads a record and checks it names key (any key when key is
// empty) and a valid digest: a record is input from the network like any other.
func parseRecord(b []byte, key string) (record, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return record{}, fmt.Errorf("fleet: entry record: %w", err)
	}
	if r.V != recordVersion {
		return record{}, fmt.Errorf("%w: entry record version %d", ErrNotFound, r.V)
	}
	if key != "" && r.Key != key {
		return record{}, fmt.Errorf("fleet: entry record names %q, not %q", r.Key, key)
	}
	if _, err := cache.ParseDigest(string(r.Digest)); err != nil {
		return record{}, fmt.Errorf("fleet: entry record: %w", err)
	}
	if r.Size < 0 {
		return record{}, fmt.Errorf("fleet: entry record: size %d", r.Size)
	}
	return r, nil
}

func (r record) entry() cache.Entry {
	return cache.Entry{Key: r.Key, Digest: r.Digest, Size: r.Size, ContentType: r.ContentType, ETag: r.ETag,
		LastModified: r.LastModified, FetchedAt: r.FetchedAt, Private: r.Private, Source: r.Source, Header: r.Header}
}
