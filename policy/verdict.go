package policy

import (
	"context"
	"errors"
	"path"
	"strings"
)

// ErrUnavailable means a token could not be checked (the validator is unreachable);
// the request is refused with 503, never let through.
var ErrUnavailable = errors.New("token validator unavailable")

// Verdict is what a validator knows of one token.
type Verdict struct {
	Known  bool           // false: no such token, revoked, or expired
	Name   string         // for audit lines; empty for upstream tokens
	Scopes map[Scope]bool // what it may do
	// Namespaces limits what a local token may read of private content offline;
	// empty means no limit. Patterns as in path.Match, matched against a package name
	// or its leading segments.
	Namespaces []string
	// Delegated: the token's permissions are not visible (see TokenKind.ShowsScopes),
	// so the upstream decides every request; Scopes is then empty.
	Delegated bool
	Kind      TokenKind // for audit lines; empty for local tokens
}

// Has reports whether the verdict grants scope.
func (v Verdict) Has(s Scope) bool { return v.Known && v.Scopes[s] }

// MayReadNamespace reports whether a local token's namespaces cover pkg.
func (v Verdict) MayReadNamespace(pkg string) bool {
	if len(v.Namespaces) == 0 {
		return true
	}
	for _, p := range v.Namespaces {
		for prefix := pkg; ; prefix = path.Dir(prefix) {
			if ok, _ := path.Match(p, prefix); ok {
				return true
			}
			if !strings.Contains(prefix, "/") {
				break
			}
		}
	}
	return false
}

// Validator checks tokens. It returns ErrUnavailable (wrapped) when it cannot tell.
type Validator interface {
	Validate(ctx context.Context, token string) (Verdict, error)
}
