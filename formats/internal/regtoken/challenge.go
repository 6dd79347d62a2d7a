package regtoken

import (
	"errors"
	"net/url"
	"strings"
)

// authChallenge is one WWW-Authenticate challenge (RFC 7235), as registries send it:
// Bearer realm="https://host/token",service="host",scope="repository:a/b:pull".
type authChallenge struct {
	scheme  string // lower case: "bearer", "basic", or "" for none
	realm   string
	service string
	scope   string
}

// parseChallenge reads the first challenge of a WWW-Authenticate value.
func parseChallenge(v string) authChallenge {
	v = strings.TrimSpace(v)
	scheme, params, _ := strings.Cut(v, " ")
	c := authChallenge{scheme: strings.ToLower(scheme)}
	for params != "" {
		params = strings.TrimLeft(params, " ,")
		k, rest, ok := strings.Cut(params, "=")
		if !ok {
			break
		}
		k = strings.ToLower(strings.TrimSpace(k))
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				break
			}
			val, params = rest[1:1+end], rest[2+end:]
		} else {
			val, params, _ = strings.Cut(rest, ",")
		}
		switch k {
		case "realm":
			c.realm = val
		case "service":
			c.service = val
		case "scope":
			c.scope = val
		}
	}
	return c
}

// errBadRealm: the upstream named a token realm that is not a plain absolute URL,
// or one in the clear while it is itself on https.
var errBadRealm = errors.New("upstream token realm is not an absolute https URL; refused")

// checkRealm reads a token realm: an absolute URL without credentials, over https
// unless the upstream itself is plain http. trusted reports whether credentials may
// go to it: it is on the upstream's own host and port, or on a host of trusted
// (mounts[].token_realms). Docker Hub's realm lives on another host than its
// registry: anonymous token requests go to any realm, credentials only to these.
func checkRealm(realm string, upstream *url.URL, trustedHosts []string) (u *url.URL, trusted bool, err error) {
	u, err = url.Parse(realm)
	if err != nil || !u.IsAbs() || u.User != nil || u.Host == "" {
		return nil, false, errBadRealm
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && upstream.Scheme == "http") {
		return nil, false, errBadRealm
	}
	if u.Host == upstream.Host {
		return u, true, nil
	}
	for _, h := range trustedHosts {
		if strings.EqualFold(h, u.Host) || strings.EqualFold(h, u.Hostname()) && u.Port() == "" {
			return u, true, nil
		}
	}
	return u, false, nil
}

// errBadTokenAnswer: the token server answered, but with no usable token.
var errBadTokenAnswer = errors.New("upstream token server gave no usable token")
