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

// errForeignRealm: the upstream sent its clients to a token server on another host.
// Hoard refuses rather than hand anyone's credentials to a host it was not told of.
var errForeignRealm = errors.New("upstream token realm is not on the upstream's host; refused")

// checkRealm accepts a token realm only on the upstream's own host and port, over
// https unless the upstream itself is plain http.
func checkRealm(realm string, upstream *url.URL) (*url.URL, error) {
	u, err := url.Parse(realm)
	if err != nil || !u.IsAbs() || u.User != nil || u.Host != upstream.Host {
		return nil, errForeignRealm
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && upstream.Scheme == "http") {
		return nil, errForeignRealm
	}
	return u, nil
}

// errBadTokenAnswer: the token server answered, but with no usable token.
var errBadTokenAnswer = errors.New("upstream token server gave no usable token")
