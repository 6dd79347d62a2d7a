package main_test

import (
	"os"
	"strings"
	"testing"

	"hoard/bench/fakegithub"
)

// matrixPackages are the packages the matrix formats read, publish and delete, as
// the fake names them.
var matrixPackages = map[string][]string{
	fakegithub.Maven:    {"acme/com/acme/lib"},
	fakegithub.Npm:      {"@acme/lib", "@acme/old"},
	fakegithub.Ghcr:     {"acme/app"},
	fakegithub.Rubygems: {"acme/lib", "acme/old"},
	fakegithub.NuGet:    {"acme/lib", "acme/old"},
}

// TestDelegatedTokenMatrix: GITHUB_TOKEN-style installation tokens, which show no
// scopes, against the real hoard binary in front of the fake GitHub. One whose
// repository the packages' access lists name reads, publishes and deletes in every
// format; one they do not name is refused as the upstream refuses it (403), even for
// content hoard already holds, and changes nothing upstream.
func TestDelegatedTokenMatrix(t *testing.T) {
	e := newAuthEnv(t)
	for _, f := range matrixFormats {
		f.seed(e)
	}
	granted := e.addCred("actions", "github-actions", e.gh.AddInstallationToken("acme/ci", fakegithub.LevelWrite))
	denied := e.addCred("actions-other", "github-actions", e.gh.AddInstallationToken("acme/other", fakegithub.LevelWrite))
	madeUp := e.addCred("made-up", "github-actions", "ghs_"+strings.Repeat("x", 36))
	for format, names := range matrixPackages {
		for _, name := range names {
			e.gh.GrantAccess(format, name, "acme/ci", fakegithub.LevelAdmin)
		}
	}
	e.start(hoardConfig{})
	apiBefore := e.gh.Requests(fakegithub.API)
	t.Run("docker-login", func(t *testing.T) { checkDockerLogin(t, e, granted, madeUp) })
	for i, f := range matrixFormats {
		n := 100 + i
		t.Run(f.name+"/granted-read", func(t *testing.T) { checkAllowed(t, e, f, "read", f.read(e, granted), n) })
		// Everything the denied token reads is in hoard's cache now: hoard must
		// still ask the upstream, and relay its refusal.
		t.Run(f.name+"/denied-read", func(t *testing.T) { checkDelegatedRefusal(t, f, f.read(e, denied)) })
		t.Run(f.name+"/denied-publish", func(t *testing.T) {
			checkDelegatedRefusal(t, f, f.pub(e, denied, n))
			if f.pubbed(e, n) {
				t.Errorf("a refused publish reached the upstream's content")
			}
		})
		t.Run(f.name+"/denied-delete", func(t *testing.T) {
			checkDelegatedRefusal(t, f, f.del(e, denied))
			if f.gone(e) {
				t.Errorf("a refused delete removed content upstream")
			}
		})
		t.Run(f.name+"/granted-publish", func(t *testing.T) { checkAllowed(t, e, f, "publish", f.pub(e, granted, n+10), n+10) })
		t.Run(f.name+"/granted-delete", func(t *testing.T) { checkAllowed(t, e, f, "delete", f.del(e, granted), n) })
	}
	if got := e.gh.Requests(fakegithub.API) - apiBefore; got != 0 {
		t.Errorf("%d calls to GitHub's API for installation tokens; their kind shows no scopes", got)
	}
	checkAuditKinds(t, e, "ghs_")
}

// checkDelegatedRefusal: every step was refused with the status the upstream gave
// (403 for a token the packages do not grant), in the protocol's own shape.
func checkDelegatedRefusal(t *testing.T, f matrixFormat, steps []step) {
	t.Helper()
	for _, s := range steps {
		if s.got.status != 403 {
			t.Errorf("%s: %d, want the upstream's 403: %s", s.name, s.got.status, s.got.body)
			continue
		}
		f.refusal(t, s.got)
	}
}

// checkAuditKinds: audit lines name the token kind by its prefix.
func checkAuditKinds(t *testing.T, e *authEnv, kind string) {
	t.Helper()
	n := 0
	for _, line := range auditLines(t, e) {
		if strings.Contains(line, `"token_kind":"`+kind+`"`) {
			n++
		}
	}
	if n == 0 {
		t.Errorf("no audit line names the token kind %s", kind)
	}
}

// TestFineGrainedTokenGetsWhatUpstreamAnswers: a fine-grained token reads what the
// upstream grants it and is refused, with the upstream's status, what it does not;
// its read-only permission makes the upstream refuse its publish.
func TestFineGrainedTokenGetsWhatUpstreamAnswers(t *testing.T) {
	e := newAuthEnv(t)
	for _, f := range matrixFormats {
		f.seed(e)
	}
	fg := e.addCred("fine-grained", ghAlice, e.gh.AddFineGrainedToken(ghAlice, fakegithub.LevelRead))
	e.gh.GrantAccess(fakegithub.Npm, "@acme/lib", ghAlice, fakegithub.LevelRead)
	e.start(hoardConfig{})
	for _, f := range matrixFormats {
		want := 403
		if f.name == "npm" {
			want = 0
		}
		t.Run(f.name, func(t *testing.T) {
			if want == 0 {
				checkAllowed(t, e, f, "read", f.read(e, fg), 0)
				return
			}
			checkDelegatedRefusal(t, f, f.read(e, fg))
		})
	}
	npm := matrixFormats[1]
	checkDelegatedRefusal(t, npm, npm.pub(e, fg, 7))
	if npm.pubbed(e, 7) {
		t.Errorf("a publish the upstream refused reached its content")
	}
}

// TestClassicTokenWithoutReadScope: a classic token without read:packages is refused
// by hoard itself, before anything reaches the registries.
func TestClassicTokenWithoutReadScope(t *testing.T) {
	e := newAuthEnv(t)
	for _, f := range matrixFormats {
		f.seed(e)
	}
	c := e.newToken("repo-only", "repo")
	e.start(hoardConfig{})
	before := e.upstreamRequests()
	for _, f := range matrixFormats {
		for _, s := range f.read(e, c) {
			if s.got.status != 403 {
				t.Errorf("%s %s: %d, want 403", f.name, s.name, s.got.status)
			}
		}
	}
	if after := e.upstreamRequests(); after != before {
		t.Errorf("%d requests reached the registries:\n%s", after-before, e.lastUpstream(int(after-before)))
	}
}

// auditLines are hoard's audit log lines so far.
func auditLines(t *testing.T, e *authEnv) []string {
	t.Helper()
	b, err := os.ReadFile(e.h.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"audit":true`) {
			out = append(out, line)
		}
	}
	return out
}

// checkDockerLogin: GET /v2/ (docker login) with a token that shows no scopes is
// answered as the upstream answers those credentials at its own root: a token
// GitHub issued logs in, a made-up one is refused, and each token costs the
// registry one check, however often it logs in.
func checkDockerLogin(t *testing.T, e *authEnv, issued, madeUp cred) {
	for _, c := range []struct {
		who  cred
		want int
	}{{issued, 200}, {madeUp, 401}} {
		before := e.gh.Requests(fakegithub.Ghcr)
		for range 2 {
			if r := e.do("GET", "/v2/", c.who.basic(), nil); r.status != c.want {
				t.Fatalf("GET /v2/ as %s: %d, want %d", c.who.role, r.status, c.want)
			}
		}
		if n := e.gh.Requests(fakegithub.Ghcr) - before; n == 0 || n > 3 {
			t.Errorf("two logins as %s cost the registry %d requests, want one check (a challenge, a token, the root)", c.who.role, n)
		}
	}
}
