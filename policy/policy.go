// Package policy decides who may do what: the scopes a request needs, the token a
// client presented, and whether a token holds those scopes. It holds no HTTP routing
// and no protocol knowledge beyond where each client puts its token.
package policy

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
)

// Scope is a GitHub personal access token (classic) scope.
type Scope string

// The scopes GitHub Packages checks, and Hoard with it.
const (
	ScopeRead   Scope = "read:packages"
	ScopeWrite  Scope = "write:packages"
	ScopeDelete Scope = "delete:packages"
)

// ParseScopes reads a comma-separated list such as GitHub's X-OAuth-Scopes header.
// write:packages implies read:packages, as GitHub grants it.
func ParseScopes(list string) map[Scope]bool {
	out := map[Scope]bool{}
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out[Scope(s)] = true
		}
	}
	if out[ScopeWrite] {
		out[ScopeRead] = true
	}
	return out
}

// TokenFrom finds the token a client sent, wherever its protocol puts it: npm's and
// OCI's Bearer token, GitHub's "token" scheme, the password of Basic credentials
// (Maven, Gradle, NuGet, RubyGems reads), NuGet's X-NuGet-ApiKey, and the bare key
// `gem push` sends as the whole Authorization header.
func TokenFrom(r *http.Request) (string, bool) {
	if k := strings.TrimSpace(firstValue(r.Header, nugetKeyHeader)); k != "" {
		return k, true
	}
	auth := strings.TrimSpace(firstValue(r.Header, "Authorization"))
	if auth == "" {
		return "", false
	}
	scheme, rest, found := strings.Cut(auth, " ")
	if !found {
		return auth, true
	}
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "bearer", "token":
		return rest, rest != ""
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return "", false
		}
		user, pass, _ := strings.Cut(string(raw), ":")
		if pass == "" {
			pass = user // some clients put the token in the user name
		}
		return pass, pass != ""
	}
	return "", false
}

// CredentialHeaders are the request headers a client's credentials travel in
// (TokenFrom reads them). They go upstream only from a mount that passes the
// caller's credentials through.
var CredentialHeaders = []string{"Authorization", nugetKeyHeader}

// nugetKeyHeader is NuGet's API key header in canonical form, so every request
// is not charged with canonicalizing it again.
var nugetKeyHeader = http.CanonicalHeaderKey("X-NuGet-ApiKey")

// firstValue is h.Get(key) for a key already in canonical form.
func firstValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Fingerprint names a token in logs and audit lines without revealing it.
func Fingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "tok_" + hex.EncodeToString(sum[:6])
}

// TokenHash is how tokens are stored and used as cache keys: never in the clear.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
