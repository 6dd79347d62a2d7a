package upstream

import (
	"net"
	"net/http"
	"net/url"
)

// proxyAvoiding is http.ProxyFromEnvironment, except that a proxy at Hoard's own
// forward-proxy address (self, its listen host:port) is never used: the request
// would come back as an intercepted one and loop. Such a request goes direct.
func proxyAvoiding(self string) func(*http.Request) (*url.URL, error) {
	selfHost, selfPort := splitListen(self)
	if selfPort == "" {
		return http.ProxyFromEnvironment
	}
	return func(r *http.Request) (*url.URL, error) {
		u, err := http.ProxyFromEnvironment(r)
		if u == nil || err != nil {
			return u, err
		}
		if isSelf(u, selfHost, selfPort) {
			return nil, nil
		}
		return u, nil
	}
}

// isSelf reports whether proxy u is the listener at selfHost:selfPort: the same
// port, on the same host or, for a listener on every address, on this machine's
// loopback.
func isSelf(u *url.URL, selfHost, selfPort string) bool {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if port != selfPort {
		return false
	}
	host := u.Hostname()
	if host == selfHost {
		return true
	}
	ip := net.ParseIP(host)
	local := host == "localhost" || (ip != nil && ip.IsLoopback())
	unspecified := selfHost == "" || net.ParseIP(selfHost).IsUnspecified()
	return local && (unspecified || net.ParseIP(selfHost).IsLoopback() || selfHost == "localhost")
}

// splitListen is a listen address's host and port; port is "" when it has none.
func splitListen(listen string) (string, string) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", ""
	}
	return host, port
}
