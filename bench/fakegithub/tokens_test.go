package fakegithub

import (
	"testing"
)

// TestUserEndpointByKind: /user answers each kind of token as GitHub's API does.
func TestUserEndpointByKind(t *testing.T) {
	s, _ := newFake(t)
	cases := []struct {
		name, tok  string
		status     int
		scopes     string
		scopesSent bool
	}{
		{"classic", s.AddToken("alice", "read:packages"), 200, "read:packages", true},
		{"oauth", s.AddOAuthToken("alice", "write:packages"), 200, "write:packages", true},
		{"installation", s.AddInstallationToken("acme/app", LevelWrite), 403, "", false},
		{"fine-grained", s.AddFineGrainedToken("alice", LevelRead), 200, "", false},
		{"user-to-server", s.AddUserToServerToken("alice", LevelRead), 200, "", false},
	}
	for _, c := range cases {
		resp, body := call(t, "GET", s.URL(API)+"/user", "Bearer "+c.tok, nil)
		_, sent := resp.Header["X-Oauth-Scopes"]
		if resp.StatusCode != c.status || sent != c.scopesSent || resp.Header.Get("X-OAuth-Scopes") != c.scopes {
			t.Errorf("%s: %d, scopes %q (sent %v): %s", c.name, resp.StatusCode, resp.Header.Get("X-OAuth-Scopes"), sent, body)
		}
	}
}

// TestInstallationTokenAccess: a GITHUB_TOKEN reads public packages and those whose
// access list names its repository, publishes new packages of its owner (which then
// grant it admin), and is refused with 403 elsewhere.
func TestInstallationTokenAccess(t *testing.T) {
	s, _ := newFake(t)
	s.SeedNpm("@acme/shared", "1.0.0", []byte("tgz"), map[string]any{"name": "@acme/shared", "version": "1.0.0"})
	s.SeedNpm("@acme/secret", "1.0.0", []byte("tgz"), map[string]any{"name": "@acme/secret", "version": "1.0.0"})
	s.GrantAccess(Npm, "@acme/shared", "acme/app", LevelRead)
	ro := s.AddInstallationToken("acme/app", LevelRead)
	rw := s.AddInstallationToken("acme/app", LevelWrite)
	other := s.AddInstallationToken("other/app", LevelWrite)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range []struct {
		tok, name, owner string
		act              action
		want             int
	}{
		{ro, "@acme/shared", "acme", read, 0},
		{ro, "@acme/secret", "acme", read, 403},
		{ro, "@acme/shared", "acme", write, 403},
		{rw, "@acme/new", "acme", write, 0},
		{rw, "@acme/new", "acme", remove, 0}, // it published it: admin
		{ro, "@acme/new", "acme", read, 0},   // same repository
		{other, "@acme/new", "acme", read, 403},
		{other, "@acme/other", "acme", write, 403}, // not its owner
		{rw, "@acme/shared", "acme", remove, 403},
	} {
		if got := s.decideLocked(c.tok, true, Npm, c.name, c.owner, c.act); got != c.want {
			t.Errorf("%s %v %s: %d, want %d", c.tok[:4], c.act, c.name, got, c.want)
		}
	}
}
