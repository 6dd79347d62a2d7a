package configs

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Webhook configures POST /-/hoard/webhook/github, where GitHub reports packages
// published or updated so their cached metadata is revalidated at once.
type Webhook struct {
	// Secret is the webhook's secret, "env:NAME" or "file:PATH"; empty turns the
	// endpoint off. Never written in the configuration itself.
	Secret string `yaml:"secret"`
	// Deliveries is how many delivery ids are remembered to refuse replays.
	Deliveries int `yaml:"deliveries,omitempty"`
}

func (w Webhook) validate() error {
	switch s := w.Secret; {
	case s == "":
	case strings.HasPrefix(s, "env:") && len(s) > 4, strings.HasPrefix(s, "file:") && len(s) > 5:
	default:
		return errors.New(`secret: must be "env:NAME" or "file:PATH", never the secret itself`)
	}
	if w.Deliveries < 0 {
		return errors.New("deliveries: must not be negative")
	}
	return nil
}

// ReadSecret returns the webhook secret the configuration points at; "" when the
// webhook is off.
func (w Webhook) ReadSecret() ([]byte, error) {
	switch s := w.Secret; {
	case s == "":
		return nil, nil
	case strings.HasPrefix(s, "env:"):
		v := os.Getenv(strings.TrimPrefix(s, "env:"))
		if v == "" {
			return nil, fmt.Errorf("webhook.secret: environment variable %s is empty", strings.TrimPrefix(s, "env:"))
		}
		return []byte(v), nil
	case strings.HasPrefix(s, "file:"):
		b, err := os.ReadFile(strings.TrimPrefix(s, "file:"))
		if err != nil {
			return nil, fmt.Errorf("webhook.secret: %w", err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return nil, errors.New("webhook.secret: the file is empty")
		}
		return []byte(v), nil
	}
	return nil, errors.New(`webhook.secret: must be "env:NAME" or "file:PATH"`)
}
