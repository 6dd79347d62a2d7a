package fakegithub

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
)

// action is what a request does to a package.
type action int

const (
	read action = iota
	write
	remove
)

// patOf reads a personal access token where GitHub's clients put it: "token PAT" and
// "Bearer PAT" (the API, npm), or the password of Basic credentials (Maven, Gradle,
// the container registry's token exchange). present is false without credentials.
func patOf(r *http.Request) (tok string, present bool) {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	if auth == "" {
		return "", false
	}
	scheme, rest, _ := strings.Cut(auth, " ")
	switch strings.ToLower(scheme) {
	case "token", "bearer":
		return strings.TrimSpace(rest), true
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err != nil {
			return "", true
		}
		_, pass, _ := strings.Cut(string(raw), ":")
		return pass, true
	}
	return "", true
}

// decideLocked is the registries' rule: 0 when the token may do act to the package
// format:name of owner, else the status GitHub answers. Tokens that show no scopes
// are decided by their per-package access instead (scopelessDecideLocked).
func (s *Server) decideLocked(tok string, present bool, format, name, owner string, act action) int {
	if !present {
		return http.StatusUnauthorized
	}
	info, ok := s.tokens[tok]
	if !ok {
		return http.StatusUnauthorized
	}
	p := s.packageLocked(format, name, owner, false)
	if info.subject != "" {
		return s.scopelessDecideLocked(info, format, name, owner, p, act)
	}
	scopes := scopeSet(info.scopes)
	member := s.members[owner][info.login]
	switch act {
	case read:
		if !scopes[ScopeRead] && !scopes[ScopeWrite] {
			return http.StatusForbidden
		}
		if p != nil && !p.public && !member && !p.readers[info.login] {
			return http.StatusNotFound
		}
	case write:
		if !scopes[ScopeWrite] || !member {
			return http.StatusForbidden
		}
	case remove:
		if !scopes[ScopeDelete] || !member {
			return http.StatusForbidden
		}
	}
	return 0
}

// loginOfLocked names the user a known token belongs to.
func (s *Server) loginOfLocked(tok string) (string, bool) {
	info, ok := s.tokens[tok]
	return info.login, ok
}

// packageLocked returns a package, creating it (private, as GitHub creates them) when
// create is set.
func (s *Server) packageLocked(format, name, owner string, create bool) *pkg {
	p := s.packages[format+":"+name]
	if p == nil && create {
		p = &pkg{owner: owner, readers: map[string]bool{}, access: map[string]string{}}
		s.packages[format+":"+name] = p
	}
	return p
}

func scopeSet(list string) map[string]bool {
	out := map[string]bool{}
	for _, sc := range strings.Split(list, ",") {
		if sc = strings.TrimSpace(sc); sc != "" {
			out[sc] = true
		}
	}
	return out
}

func randomAlnum(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
