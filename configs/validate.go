package configs

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"strings"
)

var mountName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// reservedNames are paths the daemon serves itself.
var reservedNames = map[string]bool{"metrics": true, "healthz": true, "readyz": true, "v2": true}

// Validate checks every value and fills derived defaults (public_url). known reports
// whether a format is built into this binary. Every error names its key.
func (c *Config) Validate(known func(format string) bool) error {
	var errs []error
	add := func(key, format string, a ...any) { errs = append(errs, fmt.Errorf(key+": "+format, a...)) }
	dropped, err := c.ApplyGitHub()
	if err != nil {
		errs = append(errs, err)
	}
	c.Dropped = append(c.Dropped, dropped...)
	if err := c.Webhook.validate(); err != nil {
		add("webhook", "%v", err)
	}
	if err := c.ForwardProxy.validate(); err != nil {
		add("forward_proxy", "%v", err)
	}
	if err := c.Admin.validate(); err != nil {
		add("admin", "%v", err)
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		add("listen", "%q is not host:port", c.Listen)
	}
	if c.DataDir == "" {
		add("data_dir", "must be set")
	}
	if c.PublicURL == "" {
		c.PublicURL = defaultPublicURL(c.Listen)
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.User != nil {
		add("public_url", "%q is not an absolute http(s) URL without query or credentials", c.PublicURL)
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	if c.Upstream.MaxConnsPerHost < 1 {
		add("upstream.max_conns_per_host", "must be at least 1")
	}
	if c.Upstream.Retries < 0 || c.Upstream.Retries > 10 {
		add("upstream.retries", "must be between 0 and 10")
	}
	if c.Upstream.BreakerFailures < 1 {
		add("upstream.breaker_failures", "must be at least 1")
	}
	if err := c.Cache.validatePinned(); err != nil {
		add("cache.max_pinned_size", "%v", err)
	}
	if c.Cache.FillTimeout <= 0 {
		add("cache.fill_timeout", "must be positive")
	}
	for _, err := range c.Cache.BlobStore.validate() {
		add("cache.blob_store", "%v", err)
	}
	switch c.Auth.Mode {
	case "upstream":
		if err := ValidateUpstreamURL(c.Auth.ValidateURL); err != nil {
			add("auth.validate_url", "%v", err)
		}
		if c.Offline {
			add("auth.mode", "upstream checks every token with %s, which an offline gateway never contacts, so every request "+
				"would be refused; set auth.mode to local (tokens from hoard token create) or none (no token checks)", c.Auth.ValidateURL)
		}
	case "local", "none":
	default:
		add("auth.mode", "%q is not one of upstream, local, none", c.Auth.Mode)
	}
	if c.Auth.VerdictTTL <= 0 || c.Auth.AccessTTL <= 0 {
		add("auth", "verdict_ttl and access_ttl must be positive")
	}
	if c.Auth.AccessStale < 0 || c.Auth.VerdictStale < 0 {
		add("auth", "access_stale and verdict_stale must not be negative (0 turns them off)")
	}
	if c.Limits.PerTokenRPS < 0 || c.Limits.PerAddressRPS < 0 || c.Limits.Burst < 1 {
		add("limits", "rates must not be negative and burst must be at least 1")
	}
	seen := map[string]bool{}
	for i, m := range c.Mounts {
		key := fmt.Sprintf("mounts[%d]", i)
		if err := m.validate(known); err != nil {
			add(key, "%v", err)
		}
		if seen[m.Name] {
			add(key+".name", "%q is mounted twice", m.Name)
		}
		seen[m.Name] = true
	}
	if len(c.Mounts) == 0 {
		add("mounts", "the list is empty: list at least one mount, or leave the key out to keep the built-in GitHub Packages mounts")
	}
	errs = append(errs, c.validatePolicies()...)
	if c.OCIDefault != "" && !c.hasOCIMount(c.OCIDefault) {
		add("oci_default", "%q is not the name of a mount of format oci", c.OCIDefault)
	}
	return errors.Join(errs...)
}

func (m Mount) validate(known func(string) bool) error {
	if !mountName.MatchString(m.Name) || reservedNames[m.Name] {
		return fmt.Errorf("name %q must be lower-case letters, digits, - or _ and not a reserved path", m.Name)
	}
	if !known(m.Format) {
		return fmt.Errorf("format %q is not built into this binary", m.Format)
	}
	rules := m.Rules()
	if len(rules) == 0 {
		return errors.New("upstream: must be set")
	}
	for j, r := range rules {
		if err := ValidateUpstreamURL(r.URL); err != nil {
			return fmt.Errorf("upstreams[%d].url: %w", j, err)
		}
		for _, p := range r.Match {
			if _, err := path.Match(p, ""); err != nil {
				return fmt.Errorf("upstreams[%d].match: bad pattern %q", j, p)
			}
		}
	}
	if err := validCredential(m.Credential); err != nil {
		return fmt.Errorf("credential: %w", err)
	}
	for _, h := range m.TokenRealms {
		if u, err := url.Parse("https://" + h); err != nil || u.Host != h || h == "" {
			return fmt.Errorf("token_realms: %q is not a host or host:port", h)
		}
	}
	for class, ttl := range m.TTL {
		if ttl <= 0 {
			return fmt.Errorf("ttl.%s: must be positive", class)
		}
	}
	return nil
}

// ValidateUpstreamURL accepts an absolute http(s) URL without query or fragment.
func ValidateUpstreamURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http(s) URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return errors.New("must not have a query or fragment")
	}
	if u.User != nil {
		return errors.New("credentials in the URL are not supported; pass them with the request")
	}
	return nil
}

func defaultPublicURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// DropUnknownFormats removes mounts whose format this binary lacks, so the embedded
// default can name every GitHub Packages registry before each format is built. It
// returns the names dropped.
func (c *Config) DropUnknownFormats(known func(string) bool) []string {
	var kept []Mount
	var dropped []string
	for _, m := range c.Mounts {
		if known(m.Format) {
			kept = append(kept, m)
		} else {
			dropped = append(dropped, m.Name)
		}
	}
	c.Mounts = kept
	return dropped
}

func validCredential(c string) error {
	switch {
	case c == "", c == "passthrough", c == "none":
		return nil
	case strings.HasPrefix(c, "env:") && len(c) > 4, strings.HasPrefix(c, "file:") && len(c) > 5:
		return nil
	}
	return errors.New(`must be "passthrough", "none", "env:NAME" or "file:PATH"`)
}

func (c *Config) hasOCIMount(name string) bool {
	for _, m := range c.Mounts {
		if m.Name == name && m.Format == "oci" {
			return true
		}
	}
	return false
}
