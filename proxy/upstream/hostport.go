package upstream

import (
	"net"
	"strings"
)

// HostPort is host, lowercased, with the scheme's default port when it names
// none: the one spelling under which a host is compared, whether it came from a
// configured URL, a CONNECT or an absolute request.
func HostPort(scheme, host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return strings.ToLower(host)
	}
	port := "443"
	if scheme == "http" {
		port = "80"
	}
	return net.JoinHostPort(strings.ToLower(strings.Trim(host, "[]")), port)
}
