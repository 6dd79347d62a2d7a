package policy

import "strings"

// TokenKind is what GitHub issued a token as, read from its prefix alone, so it is
// known before any call. Only personal access tokens (classic) and OAuth app tokens
// show their scopes (X-OAuth-Scopes); for the others GitHub decides per request, and
// so must its registries: Hoard then asks the upstream instead of checking scopes.
type TokenKind string

// The kinds GitHub documents, by prefix. KindOther is a token without a known prefix:
// a classic token made before prefixes existed, or one of another registry.
const (
	KindClassic      TokenKind = "ghp_"        // personal access token (classic)
	KindOAuth        TokenKind = "gho_"        // OAuth app user token
	KindInstallation TokenKind = "ghs_"        // GitHub App installation token; GITHUB_TOKEN in Actions
	KindUserToServer TokenKind = "ghu_"        // GitHub App user-to-server token
	KindFineGrained  TokenKind = "github_pat_" // fine-grained personal access token
	KindOther        TokenKind = "other"
)

// tokenPrefixes are matched in order; none is a prefix of another.
var tokenPrefixes = []TokenKind{KindFineGrained, KindClassic, KindOAuth, KindInstallation, KindUserToServer}

// KindOf classifies a token by its prefix.
func KindOf(token string) TokenKind {
	for _, k := range tokenPrefixes {
		if strings.HasPrefix(token, string(k)) {
			return k
		}
	}
	return KindOther
}

// ShowsScopes reports whether GitHub's API answers this kind's scopes: false for
// installation, user-to-server and fine-grained tokens, whose permissions no API call
// shows (a package's "Manage Actions access" list among them).
func (k TokenKind) ShowsScopes() bool {
	switch k {
	case KindInstallation, KindUserToServer, KindFineGrained:
		return false
	}
	return true
}
