package proxy

import (
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"hoard/configs"
	"hoard/formats"
	policygate "hoard/policy/gate"
	"hoard/proxy/upstream"
)

// defaultMetadataTTL applies to a metadata class the mount does not configure.
const defaultMetadataTTL = 5 * time.Minute

// mount is one registry served under /NAME/.
type mount struct {
	name      string
	format    formats.Format
	upstreams []*upstream.Upstream
	ttl       map[string]time.Duration
	cred      upstream.Credential
	// anonymousRead lets requests without a token read.
	anonymousRead bool
	// fixNamed fixes the headers of answers for names under the mount's own prefix,
	// fixBare of those it serves as its API root's default mount; nil when the
	// format fixes none (see formats.ResponseFixer).
	fixNamed, fixBare formats.HeaderFixer
	// policy is the operator's policy in force; nil lets everything through. It
	// is swapped whole on reload (see Server.SetPolicies).
	policy atomic.Pointer[policygate.Gate]
}

func newMount(m configs.Mount, f formats.Format, client *http.Client, uc configs.Upstream) (*mount, error) {
	cred, err := upstream.ResolveCredential(m)
	if err != nil {
		return nil, err
	}
	out := &mount{name: m.Name, format: f, ttl: map[string]time.Duration{}, cred: cred, anonymousRead: m.AnonymousRead}
	if td, ok := f.(formats.TTLDefaulter); ok {
		for class, d := range td.DefaultTTLs() {
			out.ttl[class] = d
		}
	}
	for class, d := range m.TTL {
		out.ttl[class] = d.D()
	}
	if ut, ok := f.(formats.UpstreamTransporter); ok {
		client = &http.Client{
			Transport: ut.UpstreamTransport(client.Transport, formats.UpstreamOptions{
				Upstreams: ruleBases(m), UserAgent: upstream.UserAgent, TokenRealms: m.TokenRealms}),
			CheckRedirect: client.CheckRedirect,
		}
	}
	for _, rule := range m.Rules() {
		u, err := upstream.New(rule, client, uc)
		if err != nil {
			return nil, fmt.Errorf("mount %s: %w", m.Name, err)
		}
		out.upstreams = append(out.upstreams, u)
	}
	return out, nil
}

// ruleBases are the base URLs of m's upstreams.
func ruleBases(m configs.Mount) []*url.URL {
	var out []*url.URL
	for _, r := range m.Rules() {
		if u, err := url.Parse(r.URL); err == nil {
			out = append(out, u)
		}
	}
	return out
}

// setFixers asks a ResponseFixer format for the fixers of m's answers: public is
// the server's public URL.
func (m *mount) setFixers(public string) {
	rf, ok := m.format.(formats.ResponseFixer)
	if !ok {
		return
	}
	var bases []*url.URL
	for _, u := range m.upstreams {
		bases = append(bases, u.Base)
	}
	if r, ok := m.format.(formats.Rooted); ok {
		root := public + "/" + r.APIRoot() + "/"
		m.fixNamed, m.fixBare = rf.HeaderFixer(root+m.name+"/", bases), rf.HeaderFixer(root, bases)
		return
	}
	m.fixNamed = rf.HeaderFixer(public+"/"+m.name+"/", bases)
}

// ttlFor is how long metadata of a class stays fresh.
func (m *mount) ttlFor(class string) time.Duration {
	if d, ok := m.ttl[class]; ok {
		return d
	}
	return defaultMetadataTTL
}

// candidates are the upstreams that serve pkg, in configured order. Formats that do
// not fall through on 404 get only the first.
func (m *mount) candidates(pkg string) []*upstream.Upstream {
	var out []*upstream.Upstream
	for _, u := range m.upstreams {
		if u.Serves(pkg) {
			out = append(out, u)
			if !m.format.FallThrough() {
				break
			}
		}
	}
	return out
}

// cacheKey scopes a format's key to the mount, so two mounts never share entries.
func (m *mount) cacheKey(key string) string { return m.name + "/" + key }
