package configs

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
)

// AdminOff turns the admin listener off.
const AdminOff = "off"

// Admin configures the admin listener: the operator's API (warm, export, import),
// on an address of its own so that it is never reachable where clients are.
type Admin struct {
	// Listen is host:port, or "off". Beyond loopback a token is required.
	Listen string `yaml:"listen"`
	// Token is the bearer token every admin request must carry, "env:NAME" or
	// "file:PATH"; empty: none (allowed on loopback only).
	Token string `yaml:"token"`
	// VerifyKey is an ed25519 public key file ("file:PATH" or a bare path): when
	// set, every imported bundle must be signed by its private key.
	VerifyKey string `yaml:"verify_key"`
}

// Enabled reports whether the admin listener runs.
func (a Admin) Enabled() bool { return a.Listen != AdminOff && a.Listen != "" }

func (a Admin) validate() error {
	var errs []error
	if a.Enabled() {
		host, _, err := net.SplitHostPort(a.Listen)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("listen: %q is not host:port or %q", a.Listen, AdminOff))
		case a.Token == "" && !IsLoopbackHost(host):
			errs = append(errs, fmt.Errorf("listen: %q is reachable beyond this machine: set admin.token "+
				"(env:NAME or file:PATH), or listen on 127.0.0.1", a.Listen))
		}
	}
	if err := checkSecretRef(a.Token); err != nil {
		errs = append(errs, fmt.Errorf("token: %w", err))
	}
	return errors.Join(errs...)
}

// IsLoopbackHost reports whether a listen host is reachable only from this machine.
// An empty host or a wildcard listens everywhere.
func IsLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ReadToken returns the admin token; "" when none is configured.
func (a Admin) ReadToken() (string, error) {
	v, err := readSecretRef(a.Token)
	if err != nil {
		return "", fmt.Errorf("admin.token: %w", err)
	}
	return v, nil
}

// VerifyKeyPath is the path of the configured bundle verification key; "" if none.
func (a Admin) VerifyKeyPath() string { return strings.TrimPrefix(a.VerifyKey, "file:") }

// checkSecretRef accepts "", "env:NAME" and "file:PATH": never a secret itself.
func checkSecretRef(s string) error {
	switch {
	case s == "":
	case strings.HasPrefix(s, "env:") && len(s) > 4, strings.HasPrefix(s, "file:") && len(s) > 5:
	default:
		return errors.New(`must be "env:NAME" or "file:PATH", never the secret itself`)
	}
	return nil
}

// readSecretRef reads what an "env:NAME" or "file:PATH" reference points at.
func readSecretRef(s string) (string, error) {
	switch {
	case s == "":
		return "", nil
	case strings.HasPrefix(s, "env:"):
		name := strings.TrimPrefix(s, "env:")
		v := os.Getenv(name)
		if v == "" {
			return "", fmt.Errorf("environment variable %s is empty", name)
		}
		return v, nil
	case strings.HasPrefix(s, "file:"):
		b, err := os.ReadFile(strings.TrimPrefix(s, "file:"))
		if err != nil {
			return "", err
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", errors.New("the file is empty")
		}
		return v, nil
	}
	return "", errors.New(`must be "env:NAME" or "file:PATH"`)
}
