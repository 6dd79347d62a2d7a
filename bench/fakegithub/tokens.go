package fakegithub

import (
	"net/http"
	"strings"
)

// Tokens other than personal access tokens (classic), as GitHub issues them. Only
// OAuth app tokens show scopes, as classic ones do; installation tokens (GITHUB_TOKEN
// in Actions, "ghs_"), user-to-server tokens ("ghu_") and fine-grained personal access
// tokens ("github_pat_") do not: what they may do with a package is decided by the
// registry from the token's permission (a workflow's `permissions: packages:`) and
// the package's own access list ("Manage Actions access"), which no API shows.

// Levels of a package's access list, in increasing order.
const (
	LevelRead  = "read"
	LevelWrite = "write"
	LevelAdmin = "admin"
)

var levelRank = map[string]int{LevelRead: 1, LevelWrite: 2, LevelAdmin: 3}

// AddOAuthToken makes an OAuth app token ("gho_") of login with scopes; it behaves as
// a classic token does.
func (s *Server) AddOAuthToken(login, scopes string) string {
	tok := "gho_" + randomAlnum(36)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = patInfo{login: login, scopes: scopes}
	s.memberLocked(login, login)
	return tok
}

// AddInstallationToken makes a GITHUB_TOKEN of the workflows of repo (OWNER/NAME)
// whose packages permission is perm (LevelRead or LevelWrite). It reads public
// packages, and others as the packages' access lists grant repo; it publishes new
// packages under OWNER, which then grant repo admin, as GitHub links a package to
// the repository whose workflow published it.
func (s *Server) AddInstallationToken(repo, perm string) string {
	return s.addScopeless("ghs_"+randomAlnum(36), "github-actions[bot]", repo, perm)
}

// AddFineGrainedToken makes a fine-grained personal access token of login with the
// packages permission perm; packages grant it access as the subject login.
func (s *Server) AddFineGrainedToken(login, perm string) string {
	return s.addScopeless("github_pat_11"+randomAlnum(20)+"_"+randomAlnum(59), login, login, perm)
}

// AddUserToServerToken makes a GitHub App user-to-server token of login.
func (s *Server) AddUserToServerToken(login, perm string) string {
	return s.addScopeless("ghu_"+randomAlnum(36), login, login, perm)
}

func (s *Server) addScopeless(tok, login, subject, perm string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = patInfo{login: login, subject: subject, perm: perm}
	return tok
}

// GrantAccess puts subject (a repository OWNER/NAME, or a user) on a package's access
// list at level; format is Maven, Npm or Ghcr. An empty level takes it off.
func (s *Server) GrantAccess(format, name, subject, level string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.packages[format+":"+name]; p != nil {
		if level == "" {
			delete(p.access, subject)
		} else {
			p.access[subject] = level
		}
	}
}

// scopelessDecideLocked is the rule for tokens without visible scopes: 0, or the
// status the registry answers (403: the token may not; GitHub does not hide the
// package from a token it knows, as it does from a classic token's user).
func (s *Server) scopelessDecideLocked(info patInfo, format, name, owner string, p *pkg, act action) int {
	level := 0
	if p != nil {
		level = levelRank[p.access[info.subject]]
	}
	switch act {
	case read:
		if p == nil || p.public || level >= levelRank[LevelRead] {
			return 0
		}
	case write:
		if info.perm != LevelWrite {
			return http.StatusForbidden
		}
		if p == nil && ownerOf(info.subject) == owner {
			p = s.packageLocked(format, name, owner, true)
			p.access[info.subject] = LevelAdmin
			return 0
		}
		if level >= levelRank[LevelWrite] {
			return 0
		}
	case remove:
		if info.perm == LevelWrite && level >= levelRank[LevelAdmin] {
			return 0
		}
	}
	return http.StatusForbidden
}

// ownerOf is the user or organisation a subject belongs to.
func ownerOf(subject string) string {
	owner, _, _ := strings.Cut(subject, "/")
	return owner
}
