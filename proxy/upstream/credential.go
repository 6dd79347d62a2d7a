package upstream

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"hoard/configs"
)

// Credential is what a mount sends upstream on the caller's behalf.
type Credential struct {
	Passthrough bool   // send the caller's own Authorization
	header      string // otherwise this Authorization value ("" for none)
}

// ResolveCredential reads a mount's configured credential once, at start-up.
func ResolveCredential(m configs.Mount) (Credential, error) {
	if m.InlineCredential != "" {
		return Credential{header: basicAuth(m.InlineCredential)}, nil
	}
	switch c := m.Credential; {
	case c == "" || c == "passthrough":
		return Credential{Passthrough: true}, nil
	case c == "none":
		return Credential{}, nil
	case strings.HasPrefix(c, "env:"):
		v := os.Getenv(strings.TrimPrefix(c, "env:"))
		if v == "" {
			return Credential{}, fmt.Errorf("mount %s: credential environment variable %s is empty", m.Name, strings.TrimPrefix(c, "env:"))
		}
		return Credential{header: secretHeader(v)}, nil
	case strings.HasPrefix(c, "file:"):
		b, err := os.ReadFile(strings.TrimPrefix(c, "file:"))
		if err != nil {
			// The error names the file, which is configuration, not a secret.
			return Credential{}, fmt.Errorf("mount %s: reading credential: %w", m.Name, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return Credential{}, errors.New("mount " + m.Name + ": credential file is empty")
		}
		return Credential{header: secretHeader(v)}, nil
	}
	return Credential{}, fmt.Errorf("mount %s: unknown credential kind", m.Name)
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

// AuthFor is the Authorization value sent upstream for this request.
func (c Credential) AuthFor(r *http.Request) string {
	if c.Passthrough {
		return r.Header.Get("Authorization")
	}
	return c.header
}
