package proxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"hoard/cache"
	"hoard/formats"
	policygate "hoard/policy/gate"
)

// Tags under a minimum age or a freeze (formats.TagResolver, OCI). A tag is
// mutable: judged alone, its newest digest too young would leave the client
// nothing to pull. So each time a tag is served, the digest it points at is
// recorded in the tag's history (first-seen records MOUNT/REPO:TAG>DIGEST), and
// a digest too young is answered with the newest digest the tag had before that
// the policy allows. A digest's release time (record MOUNT/REPO@DIGEST) is when
// Hoard first saw the tag move to it. A digest seen for the first time otherwise
// (a tag's first sighting, a pull by digest) is dated by its image config's
// created, or, when the config states none, as old if the repository itself is
// seen for the first time (its baseline: a new gateway must not hold back every
// image it has never seen) and as new if not. Created never dates a digest a
// tag moved to: builds set it at will (reproducible builds set the epoch), and it
// says when an image was built, not when it was published.

// serveTagged answers a manifest-by-tag read through the policy's age rules; it
// returns false when they do not apply.
func (s *Server) serveTagged(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route) bool {
	g := m.policy.Load()
	tr, ok := m.format.(formats.TagResolver)
	if !ok || g.Empty() {
		return false
	}
	repo, tag, ok := tr.Tag(rt)
	if !ok || !g.NeedsTime(repo) {
		return false
	}
	buf := &bufferedAnswer{header: http.Header{}}
	s.engine.serveRead(buf, wholeGet(r), m, rt)
	if buf.status != http.StatusOK {
		buf.relay(w, r)
		return true
	}
	now := s.engine.now()
	body := buf.body.Bytes()
	digest := sha256Digest(body)
	owner := m.name + "/" + rt.Key
	histPrefix := m.name + "/" + repo + ":" + tag + ">"
	history, err := s.engine.store.SeenRecords([]string{histPrefix})
	if err != nil {
		s.log.Warn().Err(err).Str("mount", m.name).Str("repository", repo).Msg("tag history not read")
	}
	v := s.digestVersion(r, m, tr, repo, digest, body, owner, len(history) > 0, now)
	if _, err := s.engine.store.FirstSeenBy(histPrefix+digest, owner, now); err != nil {
		s.log.Warn().Err(err).Str("mount", m.name).Str("repository", repo).Msg("tag history not kept")
	}
	v.Version = tag
	reason := g.Decide(v, now)
	if !reason.Refused() {
		s.noteChildren(m, tr, repo, body, v.Time, owner)
		serveManifest(w, r, buf.header, body, digest, "")
		return true
	}
	hiddenNote := fmt.Sprintf("%s (%s)", digest, reason)
	if s.servePrevious(w, r, m, tr, g, repo, tag, digest, history, hiddenNote, now) {
		s.metrics.policyHidden(m.name, reason.Rule, 1)
		return true
	}
	setResult(r, resultError)
	s.metrics.policyRefused(m.name, reason.Rule)
	s.logRefusal(m, repo+":"+tag, reason)
	w.Header().Set(policyHeader, reason.String())
	m.format.WriteError(w, r, http.StatusForbidden,
		fmt.Errorf("%s:%s (%s) is refused by this registry's policy (%s), and the tag had no earlier digest it allows", repo, tag, digest, reason))
	return true
}

// servePrevious answers with the newest digest the tag had before, other than
// current, that the policy allows.
func (s *Server) servePrevious(w http.ResponseWriter, r *http.Request, m *mount, tr formats.TagResolver, g *policygate.Gate,
	repo, tag, current string, history []cache.Seen, hiddenNote string, now time.Time) bool {
	sort.Slice(history, func(i, j int) bool { return history[i].At.After(history[j].At) })
	prefix := m.name + "/" + repo + ":" + tag + ">"
	for _, h := range history {
		d := strings.TrimPrefix(h.Name, prefix)
		if d == current {
			continue
		}
		at, found, err := s.engine.store.SeenAt(m.name + "/" + repo + "@" + d)
		if err != nil || !found || g.Decide(policygate.Version{Name: repo, Version: tag, Time: at}, now).Refused() {
			continue
		}
		get := wholeGet(r)
		prt, err := m.format.Route(get, tr.ByDigestPath(repo, d))
		if err != nil {
			continue
		}
		buf := &bufferedAnswer{header: http.Header{}}
		s.engine.serveRead(buf, get, m, prt)
		if buf.status != http.StatusOK {
			continue
		}
		serveManifest(w, r, buf.header, buf.body.Bytes(), d, hiddenNote)
		return true
	}
	return false
}

// digestVersion is what the gate judges of repo's manifest digest: its release
// time as recorded, or recorded now. A digest a tag moves to while Hoard watches
// (moved) is dated now. Otherwise it is a first sighting (of the tag, or of the
// digest pulled directly), dated by the image config's created when the config
// states one, else as old when the repository itself is seen for the first time
// (its baseline), else now. body, when known, is the manifest.
func (s *Server) digestVersion(r *http.Request, m *mount, tr formats.TagResolver, repo, digest string, body []byte,
	owner string, moved bool, now time.Time) policygate.Version {
	v := policygate.Version{Name: repo, Version: digest}
	key := m.name + "/" + repo + "@" + digest
	if at, found, err := s.engine.store.SeenAt(key); err == nil && found {
		v.Time = at
		return v
	}
	repoFirst, err := s.engine.store.FirstSeenBy(m.name+"/"+repo, owner, now)
	if err != nil {
		v.Time = now // not kept: counted as new
		return v
	}
	at := now
	if !moved {
		created := s.createdOf(r, m, tr, repo, body)
		switch {
		case !created.IsZero() && created.Before(now):
			at = created
		case repoFirst.Equal(now):
			at = time.Unix(0, 0)
		}
	}
	if v.Time, err = s.engine.store.FirstSeenBy(key, owner, at); err != nil {
		v.Time = now
	}
	return v
}

// createdOf reads an image manifest's config for its created time; zero when
// the manifest is an index, or the config cannot be had or states none.
func (s *Server) createdOf(r *http.Request, m *mount, tr formats.TagResolver, repo string, body []byte) time.Time {
	config, _ := tr.ManifestRefs(body)
	if config == "" {
		return time.Time{}
	}
	get := sideGet(r)
	get.Header.Del("Accept")
	rt, err := m.format.Route(get, tr.BlobPath(repo, config))
	if err != nil {
		return time.Time{}
	}
	buf := &bufferedAnswer{header: http.Header{}}
	s.engine.serveRead(buf, get, m, rt)
	if buf.status != http.StatusOK {
		return time.Time{}
	}
	return tr.Created(buf.body.Bytes())
}

// noteChildren dates an allowed index's platform manifests as the index, so a
// client pulling one by digest next is not refused as too young.
func (s *Server) noteChildren(m *mount, tr formats.TagResolver, repo string, body []byte, at time.Time, owner string) {
	_, children := tr.ManifestRefs(body)
	for _, c := range children {
		s.engine.store.FirstSeenBy(m.name+"/"+repo+"@"+c, owner, at)
	}
}

// digestRefusal judges a manifest-by-digest read of a Gated TagResolver.
func (s *Server) digestRefusal(r *http.Request, m *mount, tr formats.TagResolver, g *policygate.Gate, rt formats.Route) policygate.Reason {
	repo, digest, ok := tr.Digest(rt)
	if !ok || !g.NeedsTime(repo) {
		return policygate.Reason{}
	}
	now := s.engine.now()
	var body []byte
	if _, found, _ := s.engine.store.SeenAt(m.name + "/" + repo + "@" + digest); !found {
		// A first sighting: the manifest, about to be served anyway, names the
		// config that dates it.
		buf := &bufferedAnswer{header: http.Header{}}
		s.engine.serveRead(buf, wholeGet(r), m, rt)
		if buf.status == http.StatusOK {
			body = buf.body.Bytes()
		}
	}
	v := s.digestVersion(r, m, tr, repo, digest, body, m.name+"/"+rt.Key, false, now)
	return g.Decide(v, now)
}

// serveManifest answers a manifest held in memory as digest, with Range, HEAD and
// conditional requests judged against it.
func serveManifest(w http.ResponseWriter, r *http.Request, from http.Header, body []byte, digest, hidden string) {
	h := w.Header()
	for k, v := range from {
		switch k {
		case "Content-Length", "Etag", "Content-Range", "Accept-Ranges", "Docker-Content-Digest":
			continue
		}
		h[k] = v
	}
	h.Set("Docker-Content-Digest", digest)
	h.Set("ETag", `"`+digest+`"`)
	if hidden != "" {
		h.Set(hiddenHeader, hidden)
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func sha256Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
