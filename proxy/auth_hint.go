package proxy

import (
	"fmt"

	"hoard/configs"
)

// authHint ends a 401's message with what the gateway needs and where that is
// configured: a client's own error ("Incorrect or missing password") says neither,
// and an operator who mirrors a public registry must learn that token checks are on.
func authHint(c configs.Config) string {
	const public = "; to serve without tokens set auth.mode: none (--auth none), or mounts[].anonymous_read: true for reads"
	switch c.Auth.Mode {
	case "upstream":
		return fmt.Sprintf(" (auth.mode is upstream: send a token with the read:packages scope as the password or bearer token; "+
			"it is checked with %s%s)", c.Auth.ValidateURL, public)
	case "local":
		return " (auth.mode is local: send a token made with `hoard token create` as the password or bearer token" + public + ")"
	}
	return ""
}
