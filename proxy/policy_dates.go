package proxy

import (
	"net/http"
	"sync"
	"time"

	"hoard/formats"
	policygate "hoard/policy/gate"
)

// maxDatingFetches bounds the dating files (Maven POMs) fetched at once for one
// filtered document.
const maxDatingFetches = 8

// dater learns the release times of one package's versions for a policy that
// needs them, for one answer. The sources, in order: the time the document
// itself states; the document that dates the package's versions
// (formats.ReleaseDater: npm's full packument); the file that dates each version
// (formats.VersionDater: Maven's POM, by its Last-Modified), kept durably once
// learned; the time Hoard first saw the version. A dating source that cannot be
// fetched (an upstream error, not a 404) leaves the version Undated, which the
// policy refuses unless told otherwise: a failing upstream must not open the
// gate.
type dater struct {
	s    *Server
	r    *http.Request
	m    *mount
	rt   formats.Route // the route read: a document or a file of the package
	name string
	now  time.Time

	mu        sync.Mutex
	docLoaded bool
	docTimes  map[string]time.Time
	docFailed bool
	versions  map[string]policygate.Version // learned per version (VersionDater)
}

func (s *Server) newDater(r *http.Request, m *mount, rt formats.Route, name string) *dater {
	return &dater{s: s, r: r, m: m, rt: rt, name: name, now: s.engine.now(), versions: map[string]policygate.Version{}}
}

// version is what the gate judges of version, released being the time the
// document read states (zero when none).
func (d *dater) version(version string, released time.Time) policygate.Version {
	v := policygate.Version{Name: d.name, Version: version, Time: released}
	if !released.IsZero() {
		return v
	}
	if _, ok := d.m.format.(formats.VersionDater); ok {
		return d.byFile(version)
	}
	times, failed := d.documentTimes()
	if v.Time = times[version]; !v.Time.IsZero() {
		return v
	}
	if failed {
		v.Undated = true
		return v
	}
	v.Time = d.s.seenTime(d.m, d.name, version, d.owner(), d.now)
	return v
}

// documentTimes reads the dating document once; failed when it could not be had.
func (d *dater) documentTimes() (map[string]time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.docLoaded {
		d.docLoaded = true
		d.docTimes, d.docFailed = d.s.releaseTimes(d.r, d.m, d.rt)
	}
	return d.docTimes, d.docFailed
}

// byFile dates version by its dating file, once per answer.
func (d *dater) byFile(version string) policygate.Version {
	d.mu.Lock()
	v, ok := d.versions[version]
	d.mu.Unlock()
	if ok {
		return v
	}
	v = d.s.fileTime(d.r, d.m, d.rt, d.name, version, d.now)
	d.mu.Lock()
	d.versions[version] = v
	d.mu.Unlock()
	return v
}

// owner is the cache key of the document the package's first-seen records
// belong to: the metadata read, or the document that dates the file read.
func (d *dater) owner() string {
	rt := d.rt
	if rd, ok := d.m.format.(formats.ReleaseDater); ok {
		if dating, ok := rd.DatingRoute(rt); ok {
			rt = dating
		}
	}
	return d.m.name + "/" + rt.Key
}

// prefetch dates versions in parallel, bounded, before a filter asks for them
// one by one: a Maven artifact's first filtered metadata may list hundreds of
// versions, each dated by a POM.
func (d *dater) prefetch(versions []string) {
	if _, ok := d.m.format.(formats.VersionDater); !ok || len(versions) < 2 {
		return
	}
	sem := make(chan struct{}, maxDatingFetches)
	var wg sync.WaitGroup
	for _, v := range versions {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			d.byFile(v)
		}()
	}
	wg.Wait()
}

// fileTime dates name@version by its dating file's Last-Modified, recorded
// durably with the first-seen times (a POM never changes, and a record spares
// the next answer the fetch). A file the upstream has not (404) is dated by
// first sight; one that cannot be fetched leaves the version Undated.
func (s *Server) fileTime(r *http.Request, m *mount, rt formats.Route, name, version string, now time.Time) policygate.Version {
	v := policygate.Version{Name: name, Version: version}
	key := m.name + "/" + name + "@" + version
	if t, found, err := s.engine.store.SeenAt(key); err == nil && found {
		v.Time = t
		return v
	}
	route, ok := m.format.(formats.VersionDater).VersionDatingRoute(rt, version)
	if !ok {
		v.Time = s.seenTime(m, name, version, m.name+"/"+rt.Key, now)
		return v
	}
	owner := m.name + "/" + route.Key
	buf := &bufferedAnswer{header: http.Header{}}
	s.engine.serveRead(buf, sideGet(r), m, route)
	switch {
	case buf.status == http.StatusOK:
		lm, err := http.ParseTime(buf.header.Get("Last-Modified"))
		if err != nil || lm.IsZero() {
			v.Time = s.seenTime(m, name, version, owner, now)
			return v
		}
		if t, err := s.engine.store.FirstSeenBy(key, owner, lm); err == nil {
			lm = t
		}
		v.Time = lm
	case buf.status == http.StatusNotFound || buf.status == http.StatusGone:
		v.Time = s.seenTime(m, name, version, owner, now)
	default:
		v.Undated = true
	}
	return v
}
