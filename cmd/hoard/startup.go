package main

import (
	"net"
	"net/url"

	"github.com/rs/zerolog"

	"hoard/configs"
)

// logStart writes the start-up line: what this daemon is, where clients reach it,
// and every mount with its upstreams, so a misrouted mount shows at a glance.
func logStart(log zerolog.Logger, cfg configs.Config, addr string, build buildInfo) {
	mounts := zerolog.Arr()
	for _, m := range cfg.Mounts {
		ups := zerolog.Arr()
		for _, r := range m.Rules() {
			ups.Str(r.URL)
		}
		mounts.Dict(zerolog.Dict().Str("name", m.Name).Str("format", m.Format).Array("upstreams", ups))
	}
	log.Info().Str("version", build.Version).Str("commit", build.Commit).Str("listen", addr).
		Str("public_url", cfg.PublicURL).Bool("offline", cfg.Offline).Str("auth_mode", cfg.Auth.Mode).
		Array("mounts", mounts).Msg("hoard serving")
	if w := publicURLWarning(cfg.PublicURL, addr); w != "" {
		log.Warn().Str("public_url", cfg.PublicURL).Str("listen", addr).Msg(w)
	}
}

// publicURLWarning is non-empty when the public URL names this machine's loopback
// while the listener takes connections from elsewhere: URLs Hoard rewrites (npm
// tarballs, OCI redirects) would send clients on other hosts to themselves.
func publicURLWarning(publicURL, listenAddr string) string {
	u, err := url.Parse(publicURL)
	if err != nil || !isLoopbackHost(u.Hostname()) {
		return ""
	}
	host, _, err := net.SplitHostPort(listenAddr)
	if err != nil || isLoopbackHost(host) {
		return ""
	}
	return "public_url is a loopback address but the listener accepts other hosts: rewritten URLs (npm tarballs, " +
		"OCI redirects) will not work for clients elsewhere; set public_url (--public-url) to the URL they use"
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
