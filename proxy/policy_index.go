package proxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"hoard/formats"
	policygate "hoard/policy/gate"
)

// serveIndexFiltered answers a document listing many packages' versions (a
// formats.IndexFilter: NuGet search, RubyGems /versions) through the mount's
// policy, as serveFiltered does a single package's. It returns false when the
// policy has nothing to filter here.
func (s *Server) serveIndexFiltered(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route) bool {
	g := m.policy.Load()
	if g.Empty() || rt.Kind != formats.Metadata {
		return false
	}
	xf, ok := m.format.(formats.IndexFilter)
	if !ok || !xf.IsIndex(rt) {
		return false
	}
	buf := &bufferedAnswer{header: http.Header{}}
	s.engine.serveRead(buf, wholeGet(r), m, rt)
	if buf.status != http.StatusOK {
		buf.relay(w, r)
		return true
	}
	now := s.engine.now()
	daters := map[string]*dater{} // per package, each reading its dating document once if needed
	judge := func(name, version string, released time.Time) policygate.Reason {
		v := policygate.Version{Name: name, Version: version, Time: released}
		if version != "" && released.IsZero() && g.NeedsTime(name) {
			d, seen := daters[name]
			if !seen {
				if pr, ok := xf.PackageRoute(rt, name); ok {
					d = s.newDater(r, m, pr, name)
				}
				daters[name] = d
			}
			if d != nil {
				v = d.version(version, released)
			} else {
				v.Time = s.seenTime(m, name, version, m.name+"/"+rt.Key, now)
			}
		}
		return g.Decide(v, now)
	}
	packageDoc := func(name string) ([]byte, []formats.Hidden, bool) {
		return s.heldPackageDoc(r, m, g, xf, rt, name)
	}
	out, hidden, err := xf.FilterIndex(rt, buf.body.Bytes(), judge, packageDoc)
	if err != nil {
		s.log.Warn().Err(err).Str("mount", m.name).Str("key", rt.Key).Msg("filtering an index by policy failed")
		m.format.WriteError(w, r, http.StatusBadGateway, fmt.Errorf("the upstream's index could not be filtered by this registry's policy"))
		return true
	}
	for rule, n := range countRules(hidden) {
		s.metrics.policyHidden(m.name, rule, n)
	}
	s.answerFiltered(w, r, m, rt, buf.header, out, hidden)
	return true
}

// heldPackageDoc is name's own document next to the index rt, filtered, when the
// cache holds it: an index is never the reason to fetch every package it lists.
// A held document is read as the caller would read it (a private copy checked
// against the caller's access, a stale one revalidated).
func (s *Server) heldPackageDoc(r *http.Request, m *mount, g *policygate.Gate, xf formats.IndexFilter, rt formats.Route,
	name string) ([]byte, []formats.Hidden, bool) {
	vf, ok := m.format.(formats.VersionFilter)
	if !ok {
		return nil, nil, false
	}
	pr, ok := xf.PackageRoute(rt, name)
	if !ok {
		return nil, nil, false
	}
	if _, err := s.engine.store.Lookup(m.cacheKey(pr.Key)); err != nil {
		return nil, nil, false
	}
	buf, kept := s.readFiltering(r, m, g, pr)
	if buf.status != http.StatusOK {
		return nil, nil, false
	}
	if kept != nil {
		return kept.out, kept.hidden, true
	}
	body := buf.body.Bytes()
	f, err := s.filteredDoc(r, m, g, vf, pr, name, buf)
	if err != nil {
		return nil, nil, false
	}
	if f.out == nil {
		return body, f.hidden, true
	}
	return f.out, f.hidden, true
}

// answerFiltered answers with a filtered document: the engine's headers but for
// those describing the unfiltered bytes, the versions hidden, validators of the
// filtered bytes (the format's own where it has them: bundler checks ETag as
// an MD5), and Range, HEAD and conditional requests judged against them.
func (s *Server) answerFiltered(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route, from http.Header, out []byte, hidden []formats.Hidden) {
	h := w.Header()
	for k, v := range from {
		switch k {
		case "Content-Length", "Etag", "Content-Range", "Accept-Ranges", "Repr-Digest", "Digest":
			continue
		}
		h[k] = v
	}
	if len(hidden) > 0 {
		h.Set(hiddenHeader, hiddenList(hidden))
	}
	sum := sha256.Sum256(out)
	h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	if dh, ok := m.format.(formats.DocumentHeaderer); ok {
		for k, v := range dh.DocumentHeaders(rt, out) {
			h.Set(k, v)
		}
	}
	modified, _ := http.ParseTime(from.Get("Last-Modified"))
	http.ServeContent(w, r, "", modified, bytes.NewReader(out))
}
