package configs

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
)

// ForwardProxy configures forward-proxy mode (`--proxy-listen`): clients that set
// HTTPS_PROXY to it get the mounts' cache for the registry hosts the mounts front.
type ForwardProxy struct {
	// Listen is the proxy's address, host:port; empty turns the mode off.
	Listen string `yaml:"listen"`
	// Allow lists the other hosts (host or host:port) that may be tunnelled or
	// forwarded; empty allows any. Intercepted hosts are always served.
	Allow []string `yaml:"allow"`
	// Auth is "env:NAME" or "file:PATH" holding the user:password clients must
	// send in Proxy-Authorization; empty asks for none.
	Auth string `yaml:"auth"`
	// MaxTunnels bounds open tunnels and intercepted connections together.
	MaxTunnels int `yaml:"max_tunnels"`
	// IdleTimeout closes a tunnel or intercepted connection idle that long.
	IdleTimeout Duration `yaml:"idle_timeout"`
}

func (f ForwardProxy) validate() error {
	var errs []error
	if f.Listen != "" {
		if _, _, err := net.SplitHostPort(f.Listen); err != nil {
			errs = append(errs, fmt.Errorf("listen: %q is not host:port", f.Listen))
		}
	}
	switch a := f.Auth; {
	case a == "":
	case strings.HasPrefix(a, "env:") && len(a) > 4, strings.HasPrefix(a, "file:") && len(a) > 5:
	default:
		errs = append(errs, errors.New(`auth: must be "env:NAME" or "file:PATH" holding user:password, never the password itself`))
	}
	if f.MaxTunnels < 1 {
		errs = append(errs, errors.New("max_tunnels: must be at least 1"))
	}
	if f.IdleTimeout <= 0 {
		errs = append(errs, errors.New("idle_timeout: must be positive"))
	}
	return errors.Join(errs...)
}

// ReadAuth returns the user:password the proxy asks of clients; "" for none.
func (f ForwardProxy) ReadAuth() (string, error) {
	a := f.Auth
	switch {
	case a == "":
		return "", nil
	case strings.HasPrefix(a, "env:"):
		v := os.Getenv(strings.TrimPrefix(a, "env:"))
		if v == "" {
			return "", fmt.Errorf("forward_proxy.auth: environment variable %s is empty", strings.TrimPrefix(a, "env:"))
		}
		return checkUserPassword(v)
	case strings.HasPrefix(a, "file:"):
		b, err := os.ReadFile(strings.TrimPrefix(a, "file:"))
		if err != nil {
			return "", fmt.Errorf("forward_proxy.auth: %w", err)
		}
		return checkUserPassword(strings.TrimRight(string(b), "\r\n"))
	}
	return "", errors.New(`forward_proxy.auth: must be "env:NAME" or "file:PATH"`)
}

func checkUserPassword(v string) (string, error) {
	if user, pass, ok := strings.Cut(v, ":"); !ok || user == "" || pass == "" {
		return "", errors.New("forward_proxy.auth: the secret must be user:password")
	}
	return v, nil
}
