package proxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"hoard/cache"
	"hoard/formats"
	"hoard/proxy/admission"
)

// sidecarChecksums fetches (through the cache) the first checksum file the upstream
// publishes for an artifact, so the artifact is verified before it is committed.
// A missing checksum file means no check; an upstream failure fails the fill.
func (e *engine) sidecarChecksums(ctx context.Context, spec fillSpec) ([]cache.Checksum, error) {
	for _, sc := range e.cachedFirst(spec.mount, spec.sidecars) {
		entry, body, status, err := e.ensure(ctx, spec.mount, sc.Route, spec)
		if err != nil {
			return nil, fmt.Errorf("fetching %s checksum: %w", sc.Algo, err)
		}
		if status >= 500 {
			return nil, fmt.Errorf("fetching %s checksum: upstream answered %d", sc.Algo, status)
		}
		if status != http.StatusOK {
			continue
		}
		sum, ok, err := e.sidecarSum(spec.mount, sc, entry, body)
		if errors.Is(err, cache.ErrTooLarge) || errors.Is(err, cache.ErrNotFound) {
			return nil, err
		}
		if err != nil {
			e.log.Warn().Str("key", entry.Key).Err(err).Msg("ignoring malformed checksum document")
			continue
		}
		if ok {
			return []cache.Checksum{{Algo: sum.Algo, Hex: sum.Hex}}, nil
		}
	}
	return nil, nil
}

// sidecarSum reads the checksum a cached sidecar declares for the artifact: from the
// document's checksum table when the sidecar names an entry in one, else from the
// plain checksum file. body is the document when the fill had it in memory.
func (e *engine) sidecarSum(m *mount, sc formats.Sidecar, entry cache.Entry, body []byte) (formats.Checksum, bool, error) {
	if sc.Entry != "" {
		return e.tableSum(m, sc, entry, body)
	}
	body, err := e.documentBytes(entry, body)
	if err != nil {
		return formats.Checksum{}, false, err
	}
	hex, err := formats.ParseChecksum(sc.Algo, body)
	return formats.Checksum{Algo: sc.Algo, Hex: hex}, err == nil, err
}

// tableSum looks the artifact up in its document's checksum table (still in
// memory while the document's commit runs). A document
// cached without one (by an older version, or whose table was lost) has it built
// now, once; every later lookup is a single index read.
func (e *engine) tableSum(m *mount, sc formats.Sidecar, entry cache.Entry, body []byte) (formats.Checksum, bool, error) {
	if sum, found, known := e.pendingSums.lookup(entry.Digest, sc.Entry); known {
		return formats.Checksum{Algo: sum.Algo, Hex: sum.Hex}, found, nil
	}
	sum, found, known, err := e.store.LookupSum(entry.Digest, sc.Entry)
	if err != nil || known {
		return formats.Checksum{Algo: sum.Algo, Hex: sum.Hex}, found, err
	}
	if body, err = e.documentBytes(entry, body); err != nil {
		return formats.Checksum{}, false, err
	}
	if err := e.indexSums(m, sc.Route, entry.Digest, body); err != nil {
		return formats.Checksum{}, false, err
	}
	sum, found, _, err = e.store.LookupSum(entry.Digest, sc.Entry)
	return formats.Checksum{Algo: sum.Algo, Hex: sum.Hex}, found, err
}

// documentBytes is a cached document's bytes: body when the fill had them in
// memory, else read from the cache under cache.max_metadata_size.
func (e *engine) documentBytes(entry cache.Entry, body []byte) ([]byte, error) {
	if body != nil {
		return body, nil
	}
	body, err := e.store.ReadWhole(entry, e.maxMetadata)
	if errors.Is(err, cache.ErrTooLarge) {
		return nil, e.metadataTooLarge(entry.Size)
	}
	return body, err
}

// expectedChecksums joins what the route declares with what its sidecars publish.
func (e *engine) expectedChecksums(ctx context.Context, spec fillSpec) ([]cache.Checksum, error) {
	sums, err := e.sidecarChecksums(ctx, spec)
	for _, c := range spec.route.Expect {
		sums = append(sums, cache.Checksum{Algo: c.Algo, Hex: c.Hex})
	}
	return sums, err
}

// ensure makes sure the content of a route is in the cache and returns its entry, or
// the upstream's status when it has none. It waits for the whole fill, or only for
// its verified body when that is small (returned too: it may not be committed yet).
func (e *engine) ensure(ctx context.Context, m *mount, rt formats.Route, parent fillSpec) (cache.Entry, []byte, int, error) {
	key := m.cacheKey(rt.Key)
	entry, err := e.store.Lookup(key)
	if err == nil && entry.Private && grouped(m, rt.Package) && entry.Source != parent.source {
		err = admission.ErrOtherUpstream // another upstream's checksum, in a group: not this fill's
	}
	// The checksum of mutable content is revalidated with it: a checksum still fresh
	// by its own TTL may describe the previous version. One fetched since this fill
	// began (its own prefetch, usually) is as new as the content and is used as it is.
	revalidate := parent.route.Kind == formats.Metadata && entry.Mutable && entry.FetchedAt.Before(parent.began)
	if err == nil && e.fresh(m, rt, entry) && !revalidate {
		return entry, nil, http.StatusOK, nil
	}
	if e.knownMissing(m, key, parent.who) {
		return cache.Entry{}, nil, http.StatusNotFound, nil
	}
	spec := fillSpec{mount: m, route: rt, auth: parent.auth, private: parent.private, who: parent.who}
	if err == nil {
		spec.stale = &entry
	}
	f := e.startFill(key, spec)
	for _, wait := range []chan struct{}{f.ready, f.done} {
		select {
		case <-wait:
		case <-ctx.Done():
			return cache.Entry{}, nil, 0, ctx.Err()
		}
		if s := f.snapshot(); s.whole != nil {
			return s.wholeEntry, s.whole, http.StatusOK, nil
		}
	}
	s := f.snapshot()
	switch s.outcome {
	case outcomeStored, outcomeNotModified:
		return s.entry, nil, http.StatusOK, nil
	case outcomeRelayed:
		return cache.Entry{}, nil, s.relay.status, nil
	}
	return cache.Entry{}, nil, 0, s.err
}

// fresh reports whether an entry may be served without asking the upstream.
func (e *engine) fresh(m *mount, rt formats.Route, entry cache.Entry) bool {
	if !entry.Mutable {
		return true
	}
	return e.now().Sub(entry.FetchedAt) < m.ttlFor(rt.TTLClass)
}
