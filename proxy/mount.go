package proxy

import (
	"fmt"
	"net/http"
	"time"

	"hoard/configs"
	"hoard/formats"
)

// defaultMetadataTTL applies to a metadata class the mount does not configure.
const defaultMetadataTTL = 5 * time.Minute

// mount is one registry served under /NAME/.
type mount struct {
	name      string
	format    formats.Format
	upstreams []*upstream
	ttl       map[string]time.Duration
	cred      upstreamCredential
	// anonymousRead lets requests without a token read.
	anonymousRead bool
	// What the /v2/ answers of an OCI mount need, for names under the mount's
	// prefix and for names it serves as the default OCI mount.
	ociNamed, ociBare *ociMount
	ociPrefix         string // "NAME/", the mount's first segment under /v2/
}

func newMount(m configs.Mount, f formats.Format, client *http.Client, uc configs.Upstream) (*mount, error) {
	cred, err := resolveCredential(m)
	if err != nil {
		return nil, err
	}
	out := &mount{name: m.Name, format: f, ttl: map[string]time.Duration{}, cred: cred, anonymousRead: m.AnonymousRead}
	for class, d := range m.TTL {
		out.ttl[class] = d.D()
	}
	for _, rule := range m.Rules() {
		u, err := newUpstream(rule, client, uc)
		if err != nil {
			return nil, fmt.Errorf("mount %s: %w", m.Name, err)
		}
		out.upstreams = append(out.upstreams, u)
	}
	return out, nil
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
func (m *mount) candidates(pkg string) []*upstream {
	var out []*upstream
	for _, u := range m.upstreams {
		if u.serves(pkg) {
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
