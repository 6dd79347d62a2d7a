package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAuthLocalTokens: hoard serve --auth local; `hoard token create` while the daemon
// serves the same data directory makes a token that works within seconds, in every
// format, for what its scopes allow; `hoard token list` shows it without the token;
// `hoard token revoke` makes it refused within seconds. Upstream, every mount sends a
// service credential from a file, never the caller's token.
func TestAuthLocalTokens(t *testing.T) {
	const bound = 4 * time.Second // the daemon looks for changes every 2s
	e := newAuthEnv(t)
	seedMatrix(e)
	service := e.newToken("service", "read:packages")
	credFile := filepath.Join(t.TempDir(), "github-token")
	if err := os.WriteFile(credFile, []byte(ghAlice+":"+service.tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := e.start(hoardConfig{mode: "local", credential: "file:" + credFile})

	// A GitHub token is no local token, and neither is a made-up one.
	for _, c := range []cred{e.creds["read"], e.addCred("made-up", "ci", "hoard_"+strings.Repeat("ab", 24))} {
		if rs := authReads(e, c); !allStatus(rs, 401) {
			t.Errorf("%s token with --auth local: %v, want 401", c.role, statuses(rs))
		}
	}

	out, err := hoardCmd(t, "token", "create", "--data-dir", h.DataDir, "--name", "ci-reader", "--scopes", "read:packages")
	created := time.Now()
	if err != nil {
		t.Fatalf("hoard token create: %v\n%s", err, out)
	}
	c := e.addCred("local", "ci", strings.TrimSpace(out))
	if !strings.HasPrefix(c.tok, "hoard_") || strings.Contains(c.tok, "\n") {
		t.Fatalf("hoard token create printed %d bytes, not one token", len(out))
	}
	eventually(t, bound, "a new local token works", func() bool { return allStatus(authReads(e, c), 200) })
	t.Logf("new local token accepted by every format %v after `hoard token create` returned", time.Since(created).Round(time.Millisecond))

	// Its scope is read: a publish is refused before it goes anywhere.
	before := e.upstreamRequests()
	if r := e.do("PUT", "/maven/acme/repo/com/acme/lib/3.0/lib-3.0.jar", c.basic(), mavenJar); r.status != 403 {
		t.Errorf("publish with a read-only local token: %d, want 403", r.status)
	}
	if n := e.upstreamRequests() - before; n != 0 {
		t.Errorf("a refused publish reached the upstream")
	}

	list, err := hoardCmd(t, "token", "list", "--data-dir", h.DataDir)
	if err != nil || !strings.Contains(list, "ci-reader") || !strings.Contains(list, "read:packages") {
		t.Errorf("hoard token list: %v\n%s", err, list)
	}
	e.guard.saw("hoard token list", []byte(list))
	tokensFile, _ := os.ReadFile(filepath.Join(h.DataDir, "tokens.json"))
	e.guard.saw("tokens.json (hashes only)", tokensFile)

	if out, err := hoardCmd(t, "token", "revoke", "--data-dir", h.DataDir, "--name", "ci-reader"); err != nil {
		t.Fatalf("hoard token revoke: %v\n%s", err, out)
	}
	revoked := time.Now()
	eventually(t, bound, "a revoked local token refused", func() bool { return allStatus(authReads(e, c), 401) })
	t.Logf("revoked local token refused by every format %v after `hoard token revoke` returned", time.Since(revoked).Round(time.Millisecond))
	before = e.upstreamRequests()
	authReads(e, c)
	if n := e.upstreamRequests() - before; n != 0 {
		t.Errorf("requests with a revoked local token reached the upstream: %d", n)
	}
	if n := e.gh.Requests("api"); n != 0 {
		t.Errorf("--auth local asked GitHub's API %d times", n)
	}
}
