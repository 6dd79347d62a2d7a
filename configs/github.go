package configs

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// GitHub is where GitHub lives: github.com, a GitHub Enterprise Server, or a GHE.com
// subdomain. From it Hoard derives the upstream of every mount that names none and
// the URL that checks tokens, so one setting moves the whole default configuration.
type GitHub struct {
	// URL is the site's web address: https://github.com (the default),
	// https://HOST of a GitHub Enterprise Server, or https://SUB.ghe.com.
	URL string `yaml:"url"`
	// SubdomainIsolation: a GitHub Enterprise Server serves its registries on
	// subdomains (https://npm.HOST/), or, without isolation, under
	// https://HOST/_registry/npm/ (its container registry then is not available).
	// Ignored for github.com and GHE.com. Unset means true.
	SubdomainIsolation *bool `yaml:"subdomain_isolation,omitempty"`
	// Registries overrides the derived registry of a format (maven, npm, nuget,
	// rubygems, oci) where a site differs.
	Registries map[string]string `yaml:"registries,omitempty"`
}

// GitHubKind is which of GitHub's products a URL names.
type GitHubKind string

// The products Hoard derives mounts for.
const (
	GitHubDotCom        GitHubKind = "github.com"
	GitHubServer        GitHubKind = "ghes" // with subdomain isolation
	GitHubServerNoIsol  GitHubKind = "ghes-no-isolation"
	GitHubDataResidency GitHubKind = "ghe.com"
)

// Sites is what a GitHub URL derives: the API and each format's registry.
type Sites struct {
	Kind       GitHubKind
	API        string            // REST API root, without a trailing slash
	Registries map[string]string // format -> registry base URL; missing: not offered there
}

// githubFormats are the formats GitHub Packages serves, as mounts name them.
var githubFormats = []string{"maven", "npm", "nuget", "rubygems", "oci"}

// registryHost is each format's subdomain on GitHub Enterprise Server and GHE.com.
var registryHost = map[string]string{"maven": "maven", "npm": "npm", "nuget": "nuget", "rubygems": "rubygems", "oci": "containers"}

// Derive works out the sites of g. Registries overrides are applied.
func (g GitHub) Derive() (Sites, error) {
	u, err := url.Parse(g.URL)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return Sites{}, fmt.Errorf("%q is not a site URL like https://github.com or https://HOST", g.URL)
	}
	host := strings.ToLower(u.Host)
	base := u.Scheme + "://"
	s := Sites{Registries: map[string]string{}}
	switch {
	case host == "github.com" || host == "www.github.com":
		s.Kind, s.API = GitHubDotCom, "https://api.github.com"
		for _, f := range []string{"maven", "npm", "nuget", "rubygems"} {
			s.Registries[f] = "https://" + f + ".pkg.github.com"
		}
		s.Registries["oci"] = "https://ghcr.io"
	case strings.HasSuffix(host, ".ghe.com") && strings.Count(host, ".") == 2:
		// GHE.com (data residency) offers the npm and container registries only.
		s.Kind, s.API = GitHubDataResidency, base+"api."+host
		for _, f := range []string{"npm", "oci"} {
			s.Registries[f] = base + registryHost[f] + "." + host
		}
	case g.SubdomainIsolation == nil || *g.SubdomainIsolation:
		s.Kind, s.API = GitHubServer, base+host+"/api/v3"
		for _, f := range githubFormats {
			s.Registries[f] = base + registryHost[f] + "." + host
		}
	default:
		// Without subdomain isolation the container registry is not available.
		s.Kind, s.API = GitHubServerNoIsol, base+host+"/api/v3"
		for _, f := range []string{"maven", "npm", "nuget", "rubygems"} {
			s.Registries[f] = base + host + "/_registry/" + f
		}
	}
	for f, r := range g.Registries {
		if !isGitHubFormat(f) {
			return Sites{}, fmt.Errorf("registries.%s: GitHub Packages has no such format (want one of %s)", f, strings.Join(githubFormats, ", "))
		}
		if err := ValidateUpstreamURL(r); err != nil {
			return Sites{}, fmt.Errorf("registries.%s: %w", f, err)
		}
		s.Registries[f] = strings.TrimSuffix(r, "/")
	}
	return s, nil
}

func isGitHubFormat(f string) bool {
	for _, g := range githubFormats {
		if g == f {
			return true
		}
	}
	return false
}

// ApplyGitHub fills what github.url derives: the upstream of every mount of a
// GitHub Packages format that names none, and auth.validate_url when unset. A mount
// whose format the site does not offer is dropped, and its name returned, so the
// default configuration works on every kind of site; an empty github.url derives
// nothing.
func (c *Config) ApplyGitHub() (dropped []string, err error) {
	if c.GitHub.URL == "" {
		return nil, nil
	}
	s, err := c.GitHub.Derive()
	if err != nil {
		return nil, fmt.Errorf("github: %w", err)
	}
	if c.Auth.ValidateURL == "" {
		c.Auth.ValidateURL = s.API + "/user"
	}
	var kept []Mount
	for _, m := range c.Mounts {
		if m.Upstream != "" || len(m.Upstreams) > 0 || !isGitHubFormat(m.Format) {
			kept = append(kept, m)
			continue
		}
		r, ok := s.Registries[m.Format]
		if !ok {
			dropped = append(dropped, m.Name)
			continue
		}
		m.Upstream = r
		kept = append(kept, m)
	}
	c.Mounts = kept
	if len(c.Mounts) == 0 && len(dropped) > 0 {
		return dropped, errors.New("github: the site offers none of the mounted formats")
	}
	return dropped, nil
}
