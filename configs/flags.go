package configs

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// MountFlagUsage is the --mount syntax, for -h and errors.
const MountFlagUsage = `NAME=FORMAT,UPSTREAM_URL[,KEY=VALUE]...; keys: ttl=DURATION (every metadata class), ` +
	`ttl.CLASS=DURATION, credential=passthrough|none|env:NAME|file:PATH, anonymous_read=true|false, ` +
	`token_realms=HOST[;HOST]; ` +
	`a comma inside the URL is written \,`

// ParseMountFlag reads a --mount value: NAME=FORMAT,UPSTREAM_URL and then per-mount
// settings as KEY=VALUE, comma-separated. A comma that belongs to the URL is
// escaped with a backslash (\,; a backslash itself is \\). The URL is checked
// strictly, so a setting can never end up inside it. Credentials in the URL
// (https://USER:TOKEN@host/path) become the mount's upstream credential and are
// removed from the URL, so they never appear where the URL is shown; no error
// quotes the URL.
func ParseMountFlag(v string) (Mount, error) {
	parts, err := splitEscaped(v)
	name, format, ok := strings.Cut(parts[0], "=")
	if err != nil || !ok || len(parts) < 2 || name == "" || format == "" || parts[1] == "" {
		return Mount{}, fmt.Errorf("--mount for %q: want %s", name, MountFlagUsage)
	}
	m := Mount{Name: name, Format: format}
	if m.Upstream, m.InlineCredential, err = mountURL(parts[1]); err != nil {
		return Mount{}, fmt.Errorf("--mount %s: the upstream %v", name, err)
	}
	for _, kv := range parts[2:] {
		if err := m.setOption(kv); err != nil {
			return Mount{}, fmt.Errorf("--mount %s: %w", name, err)
		}
	}
	return m, nil
}

// mountURL checks an upstream URL and takes any credentials out of it.
func mountURL(raw string) (clean, credential string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", errors.New("is not a URL")
	}
	if u.User != nil {
		credential = u.User.String()
		if p, ok := u.User.Password(); ok {
			credential = u.User.Username() + ":" + p
		}
		u.User = nil
	}
	clean = u.String()
	if err := ValidateUpstreamURL(clean); err != nil {
		return "", "", err
	}
	return clean, credential, nil
}

// setOption applies one KEY=VALUE of a --mount value.
func (m *Mount) setOption(kv string) error {
	key, value, ok := strings.Cut(kv, "=")
	if !ok || key == "" {
		return fmt.Errorf("%q is not KEY=VALUE (a comma inside the URL is written \\,)", kv)
	}
	switch {
	case key == "ttl" || strings.HasPrefix(key, "ttl."):
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s: %q is not a positive duration", key, value)
		}
		if key == "ttl" {
			m.AllTTL = Duration(d)
			return nil
		}
		if m.TTL == nil {
			m.TTL = map[string]Duration{}
		}
		m.TTL[strings.TrimPrefix(key, "ttl.")] = Duration(d)
	case key == "credential":
		if err := validCredential(value); err != nil {
			return fmt.Errorf("credential: %w", err)
		}
		m.Credential = value
	case key == "token_realms":
		m.TokenRealms = strings.Split(value, ";")
	case key == "anonymous_read":
		switch value {
		case "true":
			m.AnonymousRead = true
		case "false":
			m.AnonymousRead = false
		default:
			return fmt.Errorf("anonymous_read: %q is not true or false", value)
		}
	default:
		return fmt.Errorf("unknown key %q; the keys are ttl, ttl.CLASS, credential, anonymous_read, token_realms", key)
	}
	return nil
}

// splitEscaped splits v at commas not escaped with a backslash, and unescapes \,
// and \\. Any other backslash is an error: it would be ambiguous.
func splitEscaped(v string) ([]string, error) {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && i+1 < len(v) && (v[i+1] == ',' || v[i+1] == '\\'):
			cur.WriteByte(v[i+1])
			i++
		case c == '\\':
			return []string{""}, errors.New(`a backslash escapes only "," or "\"`)
		case c == ',':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String()), nil
}

// ExpandAllTTL gives every metadata class of a mount with a ttl=DURATION option that
// TTL, unless ttl.CLASS set the class itself. classes lists a format's classes.
func (c *Config) ExpandAllTTL(classes func(format string) []string) {
	for i := range c.Mounts {
		m := &c.Mounts[i]
		if m.AllTTL <= 0 {
			continue
		}
		for _, class := range classes(m.Format) {
			if _, set := m.TTL[class]; !set {
				if m.TTL == nil {
					m.TTL = map[string]Duration{}
				}
				m.TTL[class] = m.AllTTL
			}
		}
		m.AllTTL = 0
	}
}
