package proxy

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"hoard/cache"
	"hoard/configs"
	"hoard/formats"
	"hoard/policy"
	policygate "hoard/policy/gate"
)

// policyHeader names, on a refusal, the policy rule that refused.
const policyHeader = "X-Hoard-Policy"

// compilePolicies reads the global policy and every mount's with the mount's
// format and returns each mount's gate, or every error named by its key. A
// format that is not formats.Gated takes no policy of its own and ignores the
// global one.
func compilePolicies(c configs.Config, mounts map[string]*mount) (map[string]*policygate.Gate, error) {
	out := map[string]*policygate.Gate{}
	var errs []error
	global := specOf(c.Policy)
	for i, mc := range c.Mounts {
		m, ok := mounts[mc.Name]
		if !ok {
			continue
		}
		key := fmt.Sprintf("mounts[%d].policy", i)
		gf, gated := m.format.(formats.Gated)
		if !gated {
			rest := mc.Policy
			rest.Pins = nil // pins are kept by the cache, for every format
			if !rest.IsZero() {
				errs = append(errs, fmt.Errorf("%s: format %s does not take a policy yet", key, mc.Format))
			}
			continue
		}
		scheme := gf.VersionScheme()
		// Each part is read alone first so that errors name the key as written.
		_, errGlobal := policygate.Compile("policy", global, scheme)
		_, errMount := policygate.Compile(key, specOf(mc.Policy), scheme)
		if errGlobal != nil || errMount != nil {
			errs = append(errs, errGlobal, errMount)
			continue
		}
		g, err := policygate.Compile(key, policygate.Merge(global, specOf(mc.Policy)), scheme)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[mc.Name] = g
	}
	return out, errors.Join(errs...)
}

func specOf(p configs.Policy) policygate.Spec {
	return policygate.Spec{
		Deny: p.Deny, Allow: p.Allow, MinAge: p.MinAge.D(), MinAgeExempt: p.MinAgeExempt,
		MaxSize: int64(p.MaxArtifactSize), Freeze: p.Freeze.Time, AllowUndated: p.Undated == "allow",
	}
}

// SetPolicies compiles the configuration's policies and, only if every one reads,
// puts them in force at once; on an error the policies in force are kept.
func (s *Server) SetPolicies(c configs.Config) error {
	gates, err := compilePolicies(c, s.mounts)
	if err != nil {
		return err
	}
	for name, m := range s.mounts {
		m.policy.Store(gates[name])
	}
	s.engine.store.SetPinRule(pinRule(c))
	return nil
}

// pinRule is the configuration's pins (policy.pins, then each mount's), nil
// when there are none.
func pinRule(c configs.Config) cache.PinRule {
	pins := policy.PinPatterns{}
	for _, mc := range c.Mounts {
		for _, p := range append(append([]string(nil), c.Policy.Pins...), mc.Policy.Pins...) {
			pins[mc.Name] = append(pins[mc.Name], strings.Trim(p, "/"))
		}
	}
	if len(pins) == 0 {
		return nil
	}
	return pins.Covers
}

// refusedByPolicy answers 403 in the protocol's shape, naming the rule, when the
// mount's policy refuses the package or version rt reads.
func (s *Server) refusedByPolicy(w http.ResponseWriter, r *http.Request, m *mount, rt formats.Route) bool {
	g := m.policy.Load()
	if g.Empty() {
		return false
	}
	gf, ok := m.format.(formats.Gated)
	if !ok {
		return false
	}
	name, version, ok := gf.Subject(rt)
	if !ok {
		return false
	}
	v := policygate.Version{Name: name, Version: version}
	reason := g.Decide(v, s.engine.now())
	if tr, tagged := m.format.(formats.TagResolver); tagged && !reason.Refused() {
		// A tag's age is judged as it is served (serveTagged), a digest's here.
		reason = s.digestRefusal(r, m, tr, g, rt)
	} else if !reason.Refused() && version != "" && g.NeedsTime(name) {
		d := s.newDater(r, m, rt, name)
		reason = g.Decide(d.version(version, time.Time{}), d.now)
	}
	if !reason.Refused() {
		return false
	}
	subject := name
	if version != "" {
		subject += "@" + version
	}
	setResult(r, resultError)
	s.metrics.policyRefused(m.name, reason.Rule)
	s.logRefusal(m, subject, reason)
	w.Header().Set(policyHeader, reason.String())
	m.format.WriteError(w, r, http.StatusForbidden, fmt.Errorf("%s is refused by this registry's policy (%s)", subject, reason))
	return true
}

// logRefusal names the rule behind a refusal in the log: some clients show
// neither the answer's body nor its headers (Maven reports a refused
// maven-metadata.xml as "no versions available").
func (s *Server) logRefusal(m *mount, subject string, reason policygate.Reason) {
	s.log.Info().Str("mount", m.name).Str("subject", subject).Str("rule", reason.String()).Msg("refused by policy")
}

// releaseTimes are the release times of rt's package's versions, read from the
// document that dates them (formats.ReleaseDater), served as any read is: from
// the cache, or fetched. Nil when the format dates nothing there or the
// document does not exist (404): versions are then dated by first sight.
// failed when the document exists but cannot be had now (an upstream error).
func (s *Server) releaseTimes(r *http.Request, m *mount, rt formats.Route) (times map[string]time.Time, failed bool) {
	rd, ok := m.format.(formats.ReleaseDater)
	if !ok {
		return nil, false
	}
	dating, ok := rd.DatingRoute(rt)
	if !ok {
		return nil, false
	}
	buf := &bufferedAnswer{header: http.Header{}}
	s.engine.serveRead(buf, sideGet(r), m, dating)
	switch buf.status {
	case http.StatusOK:
		return rd.ReleaseTimes(buf.body.Bytes()), false
	case http.StatusNotFound, http.StatusGone:
		return nil, false
	}
	return nil, true
}

// seenTime is when the mount first saw name@version, recorded at now if it never
// did: the release time of a version whose upstream states none (GitHub's npm
// registry drops a packument's time). Kept in the cache's index, it survives
// restarts and evictions. The versions listed when the package itself is first
// seen are its baseline, dated at the epoch: their release came before Hoard
// could know, and a new gateway must not hide every version it has never seen.
// If the record cannot be read the version counts as new. owner is the cache
// key of the package's document the records belong to: hoard gc collects them
// some time after it leaves the cache.
func (s *Server) seenTime(m *mount, name, version, owner string, now time.Time) time.Time {
	first := now
	pkgFirst, err := s.engine.store.FirstSeenBy(m.name+"/"+name, owner, now)
	if err == nil && pkgFirst.Equal(now) {
		first = time.Unix(0, 0)
	}
	t, verr := s.engine.store.FirstSeenBy(m.name+"/"+name+"@"+version, owner, first)
	if err = errors.Join(err, verr); err != nil {
		s.log.Warn().Err(err).Str("mount", m.name).Str("package", name).Msg("first-seen time not kept; the version counts as new")
		return now
	}
	return t
}
