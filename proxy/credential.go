package proxy

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"hoard/configs"
)

// upstreamCredential is what a mount sends upstream on the caller's behalf.
type upstreamCredential struct {
	passthrough bool   // send the caller's own Authorization
	header      string // otherwise this Authorization value ("" for none)
}

// resolveCredential reads a mount's configured credential once, at start-up.
func resolveCredential(m configs.Mount) (upstreamCredential, error) {
	if m.InlineCredential != "" {
		return upstreamCredential{header: basicAuth(m.InlineCredential)}, nil
	}
	switch c := m.Credential; {
	case c == "" || c == "passthrough":
		return upstreamCredential{passthrough: true}, nil
	case c == "none":
		return upstreamCredential{}, nil
	case strings.HasPrefix(c, "env:"):
		v := os.Getenv(strings.TrimPrefix(c, "env:"))
		if v == "" {
			return upstreamCredential{}, fmt.Errorf("mount %s: credential environment variable %s is empty", m.Name, strings.TrimPrefix(c, "env:"))
		}
		return upstreamCredential{header: secretHeader(v)}, nil
	case strings.HasPrefix(c, "file:"):
		b, err := os.ReadFile(strings.TrimPrefix(c, "file:"))
		if err != nil {
			// The error names the file, which is configuration, not a secret.
			return upstreamCredential{}, fmt.Errorf("mount %s: reading credential: %w", m.Name, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return upstreamCredential{}, errors.New("mount " + m.Name + ": credential file is empty")
		}
		return upstreamCredential{header: secretHeader(v)}, nil
	}
	return upstreamCredential{}, fmt.Errorf("mount %s: unknown credential kind", m.Name)
}

// secretHeader sends "user:password" as Basic and a bare token as Bearer.
func secretHeader(v string) string {
	if strings.Contains(v, ":") {
		return basicAuth(v)
	}
	return "Bearer " + v
}

func basicAuth(userPass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userPass))
}

// authFor is the Authorization value sent upstream for this request.
func (c upstreamCredential) authFor(r *http.Request) string {
	if c.passthrough {
		return r.Header.Get("Authorization")
	}
	return c.header
}
