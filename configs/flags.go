package configs

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseMountFlag reads the --mount value NAME=FORMAT,UPSTREAM_URL. Credentials in the
// URL (https://USER:TOKEN@host/path) become the mount's upstream credential and are
// removed from the URL, so they never appear where the URL is shown.
func ParseMountFlag(v string) (Mount, error) {
	name, rest, ok := strings.Cut(v, "=")
	format, upstream, ok2 := strings.Cut(rest, ",")
	if !ok || !ok2 || name == "" || format == "" || upstream == "" {
		return Mount{}, fmt.Errorf("--mount for %q: want NAME=FORMAT,UPSTREAM_URL", name)
	}
	m := Mount{Name: name, Format: format, Upstream: upstream}
	u, err := url.Parse(upstream)
	if err != nil {
		return Mount{}, fmt.Errorf("--mount %s: the upstream is not a URL", name)
	}
	if u.User != nil {
		m.InlineCredential = u.User.String()
		if p, ok := u.User.Password(); ok {
			m.InlineCredential = u.User.Username() + ":" + p
		}
		u.User = nil
		m.Upstream = u.String()
	}
	return m, nil
}
