package main_test

// Every example in configs/ starts with the real binary and serves the use case its
// comment describes. The files are used as shipped, with only their upstream hosts
// pointed at local stand-ins (the fake GitHub, a plain Maven mirror).

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/fakegithub"
	"hoard/bench/origin"
	"hoard/configs"
)

const junitPom = "junit/junit/4.13.2/junit-4.13.2.pom" // in Debian's Maven tree

// exampleCase is what one example must do once started.
type exampleCase struct {
	seed  func(e *authEnv, dataDir, file string) // before the start, if the example needs a filled cache
	check func(e *authEnv, h *hoardProc)
}

func exampleCases() map[string]exampleCase {
	return map[string]exampleCase{
		"ci-runner.yaml": {check: func(e *authEnv, h *hoardProc) {
			// The runners' own tokens go to GitHub Packages; the second read is a hit.
			for _, want := range []string{"miss", "hit"} {
				r := e.do("GET", "/maven/acme/repo/"+junitPom, e.creds["read"].basic(), nil)
				if r.status != 200 || r.header.Get("X-Hoard-Cache") != want {
					e.t.Errorf("ci-runner: GET %s: %d %s, want 200 %s", junitPom, r.status, r.header.Get("X-Hoard-Cache"), want)
				}
			}
		}},
		"build-farm.yaml": {check: func(e *authEnv, h *hoardProc) {
			// com/acme/* from the organisation's repository, the rest from the mirror;
			// @acme/* from GitHub's npm registry.
			e.gh.SeedMaven(ghOwner, "com/acme/lib/1.0/lib-1.0.pom", []byte("<project/>"))
			e.gh.SeedNpm("@acme/tool", "1.0.0", npmTgz("@acme/tool", "1.0.0"), nil)
			for _, path := range []string{"/maven/com/acme/lib/1.0/lib-1.0.pom", "/maven/" + junitPom} {
				if r := e.do("GET", path, e.creds["read"].basic(), nil); r.status != 200 {
					e.t.Errorf("build-farm: GET %s: %d %s", path, r.status, r.body)
				}
			}
			if r := e.do("GET", "/npm/@acme%2ftool", e.creds["read"].bearer(), nil); r.status != 200 || !strings.Contains(string(r.body), `"1.0.0"`) {
				e.t.Errorf("build-farm: GET /npm/@acme%%2ftool: %d %s", r.status, r.body)
			}
		}},
		"air-gapped.yaml": {seed: seedAirGapped, check: func(e *authEnv, h *hoardProc) {
			// Offline, with a token of Hoard's own: the cached artifact is served; an
			// anonymous read is told what token it needs.
			out, err := hoardCmd(e.t, "token", "create", "--data-dir", h.DataDir, "--name", "builds", "--scopes", "read:packages", "--namespaces", "*")
			if err != nil {
				e.t.Fatalf("token create: %v\n%s", err, out)
			}
			tok := cred{role: "local", login: "builds", tok: strings.TrimSpace(out)}
			e.guard.secret("local", "builds", tok.tok)
			eventually(e.t, 10*time.Second, "the daemon accepts the new local token", func() bool {
				return e.do("GET", "/maven/acme/repo/"+junitPom, tok.basic(), nil).status == 200
			})
			if r := e.do("GET", "/maven/acme/repo/"+junitPom, "", nil); r.status != 401 || !strings.Contains(string(r.body), "hoard token create") {
				e.t.Errorf("air-gapped: anonymous GET: %d %s", r.status, r.body)
			}
		}},
	}
}

func TestEveryExampleConfigServesItsUseCase(t *testing.T) {
	needE2E(t)
	requireFiles(t, filepath.Join(debianMavenRepo, junitPom))
	files, err := filepath.Glob("../../configs/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := exampleCases()
	for _, file := range files {
		name := filepath.Base(file)
		if name == "default.yaml" {
			continue // the embedded default: every other test starts it
		}
		c, ok := cases[name]
		if !ok {
			t.Errorf("configs/%s has no case here: every shipped example must be started and used", name)
			continue
		}
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			e := newAuthEnv(t)
			mirror := startUpstream(t, http.StripPrefix("/releases", origin.New(origin.Options{Root: debianMavenRepo, Checksums: true})))
			local := localizeExample(t, file, e.gh, mirror.URL())
			cfg, err := configs.Load(local)
			if err != nil {
				t.Fatal(err)
			}
			dataDir := t.TempDir()
			if c.seed != nil {
				c.seed(e, dataDir, local)
			}
			e.h = startHoard(t, dataDir, "--config", local, "--auth", cfg.Auth.Mode)
			c.check(e, e.h)
		})
	}
}

// localizeExample copies an example with its upstream hosts replaced by the local
// stand-ins and its token checks sent to the fake GitHub's API.
func localizeExample(t *testing.T, file string, gh *fakegithub.Server, mirror string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer(
		"https://maven.pkg.github.com", gh.URL(fakegithub.Maven),
		"https://npm.pkg.github.com", gh.URL(fakegithub.Npm),
		"https://ghcr.io", gh.URL(fakegithub.Ghcr),
		"https://maven-mirror.build.example", mirror,
		"https://npm-mirror.build.example", mirror,
	).Replace(string(b))
	validate := fmt.Sprintf("  validate_url: %q\n", gh.URL(fakegithub.API)+"/user")
	if strings.Contains(s, "\nauth:\n") {
		s = strings.Replace(s, "\nauth:\n", "\nauth:\n"+validate, 1)
	} else {
		s += "auth:\n" + validate
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "https://") && !strings.HasPrefix(line, "public_url:") && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			t.Fatalf("%s: upstream %q has no local stand-in", file, strings.TrimSpace(line))
		}
	}
	out := filepath.Join(t.TempDir(), filepath.Base(file))
	if err := os.WriteFile(out, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// seedAirGapped fills the data directory while connected, through the same mount.
func seedAirGapped(e *authEnv, dataDir, file string) {
	e.t.Helper()
	cfg, err := configs.Load(file)
	if err != nil {
		e.t.Fatal(err)
	}
	online := startHoard(e.t, dataDir, "--mount", "maven=maven,"+cfg.Mounts[0].Upstream)
	e.h = online
	if r := e.do("GET", "/maven/acme/repo/"+junitPom, e.creds["read"].basic(), nil); r.status != 200 {
		e.t.Fatalf("seeding the air-gapped cache: %d %s", r.status, r.body)
	}
	online.Stop()
}
