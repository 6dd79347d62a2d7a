package main_test

// Maven end to end: the real mvn builds, tests, packages and deploys a small
// project through the real hoard binary, whose only upstream is an in-process
// origin serving Debian's /usr/share/maven-repo.

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/origin"
)

const (
	debianMavenRepo = "/usr/share/maven-repo"
	helloProject    = "../../formats/maven/testdata/hello"
	helloJarPath    = "hoard/e2e/hello/1.0.0/hello-1.0.0.jar" // repository path of the built jar
	mvnTimeout      = 10 * time.Minute
	// originBase is where the origin's tree sits on its server, so the mount's base
	// URL has a path and hoard's URL joining is exercised too.
	originBase = "/repo"
)

// requireMaven skips (or, in CI, fails) unless mvn, java and the plugin versions the
// hello pom pins are installed.
func requireMaven(t *testing.T) {
	t.Helper()
	needE2E(t)
	requireTools(t, "mvn", "java")
	p := func(artifact, version string) string {
		return filepath.Join(debianMavenRepo, "org/apache/maven/plugins", artifact, version, artifact+"-"+version+".jar")
	}
	requireFiles(t,
		p("maven-resources-plugin", "3.3.0"), p("maven-compiler-plugin", "3.10.1"),
		p("maven-surefire-plugin", "2.22.3"), p("maven-jar-plugin", "3.3.0"),
		p("maven-install-plugin", "3.1.0"), p("maven-deploy-plugin", "3.0.0"),
		filepath.Join(debianMavenRepo, "junit/junit/4.13.2/junit-4.13.2.jar"))
}

// mavenOrigin serves Debian's tree (with checksums, so mvn -C can verify what hoard
// hands it) under originBase, and hoard mounts it as "maven".
func mavenOrigin(t *testing.T, opts origin.Options) (*origin.Origin, *upstream) {
	t.Helper()
	opts.Root, opts.Checksums = debianMavenRepo, true
	o := origin.New(opts)
	return o, startUpstream(t, http.StripPrefix(originBase, o))
}

func mavenMount(u *upstream) []string {
	return []string{"--mount", "maven=maven," + u.URL() + originBase}
}

// copyProject copies the hello project into a fresh directory, so builds never
// write into the source tree and each build starts clean.
func copyProject(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "hello")
	if err := os.CopyFS(dst, os.DirFS(helloProject)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// mavenSettings writes a settings.xml that sends every repository through hoard and,
// when creds is "user:pass", gives them for the server id the pom deploys to.
func mavenSettings(t *testing.T, hoardURL, creds string) string {
	t.Helper()
	servers := ""
	if user, pass, ok := strings.Cut(creds, ":"); ok {
		servers = fmt.Sprintf("<servers><server><id>hoard</id><username>%s</username><password>%s</password></server></servers>", user, pass)
	}
	xml := fmt.Sprintf(`<settings>
  %s
  <mirrors><mirror><id>hoard</id><mirrorOf>*</mirrorOf><url>%s/maven/</url></mirror></mirrors>
</settings>
`, servers, hoardURL)
	p := filepath.Join(t.TempDir(), "settings.xml")
	if err := os.WriteFile(p, []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// mvn runs one build of project with a fresh local repository, so everything it
// needs comes through hoard. -C makes a checksum mismatch fail the build.
func mvn(t *testing.T, project, settings string, args ...string) error {
	t.Helper()
	local := filepath.Join(t.TempDir(), "m2")
	base := []string{"-B", "-ntp", "-C", "-s", settings, "-Dmaven.repo.local=" + local}
	logPath := filepath.Join(t.TempDir(), "mvn.log")
	return runTool(t, mvnTimeout, project, logPath, nil, "mvn", append(base, args...)...)
}

// assertTestsRan checks that a JUnit XML report shows the one test passing, so a
// build that skipped its tests cannot pass for a good one.
func assertTestsRan(t *testing.T, report string) {
	t.Helper()
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("test report: %v", err)
	}
	for _, want := range []string{`tests="1"`, `failures="0"`, `errors="0"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Fatalf("test report %s lacks %s:\n%s", report, want, b)
		}
	}
}

const surefireReport = "target/surefire-reports/TEST-hoard.e2e.hello.HelloTest.xml"

// TestMavenPackage: a cold build fills the cache; with the origin down the cache
// alone serves a whole build; after a restart of hoard a warm build sends no
// artifact request upstream.
func TestMavenPackage(t *testing.T) {
	requireMaven(t)
	o, up := mavenOrigin(t, origin.Options{})
	data := t.TempDir()
	h := startHoard(t, data, mavenMount(up)...)

	ok := t.Run("cold", func(t *testing.T) {
		project := copyProject(t)
		if err := mvn(t, project, mavenSettings(t, h.URL, ""), "package"); err != nil {
			t.Fatal(err)
		}
		assertTestsRan(t, filepath.Join(project, surefireReport))
		if o.Requests() == 0 {
			t.Fatal("the origin saw no request: the build did not go through hoard")
		}
		t.Logf("origin served %d requests", o.Requests())
	})
	if !ok {
		return
	}

	ok = t.Run("origin-down", func(t *testing.T) {
		up.Close()
		project := copyProject(t)
		if err := mvn(t, project, mavenSettings(t, h.URL, ""), "package"); err != nil {
			t.Fatalf("build with the origin down must be served from the cache: %v", err)
		}
		assertTestsRan(t, filepath.Join(project, surefireReport))
	})
	if !ok {
		return
	}

	t.Run("warm-after-restart", func(t *testing.T) {
		up.Start()
		h.Stop()
		h = startHoard(t, data, mavenMount(up)...)
		o.Reset()
		project := copyProject(t)
		if err := mvn(t, project, mavenSettings(t, h.URL, ""), "package"); err != nil {
			t.Fatal(err)
		}
		// Release artifacts are immutable: only metadata may be revalidated.
		for p, n := range o.Paths() {
			if !strings.Contains(p, "maven-metadata.xml") {
				t.Errorf("warm build fetched %s from the origin %d times", p, n)
			}
		}
		t.Logf("origin served %d requests during the warm build", o.Requests())
	})
}

// TestMavenDeploy: mvn deploy through hoard to an origin that wants Basic
// credentials; the jar lands upstream intact and hoard serves it afterwards with
// the origin down.
func TestMavenDeploy(t *testing.T) {
	requireMaven(t)
	const creds = "deployer:s3cret"
	writeDir := t.TempDir()
	_, up := mavenOrigin(t, origin.Options{WriteDir: writeDir, RequireAuth: creds})
	h := startHoard(t, t.TempDir(), mavenMount(up)...)

	project := copyProject(t)
	if err := mvn(t, project, mavenSettings(t, h.URL, creds), "-DdeployUrl="+h.URL+"/maven/", "deploy"); err != nil {
		t.Fatal(err)
	}
	built, err := os.ReadFile(filepath.Join(project, "target/hello-1.0.0.jar"))
	if err != nil {
		t.Fatal(err)
	}
	landed, err := os.ReadFile(filepath.Join(writeDir, helloJarPath))
	if err != nil {
		t.Fatalf("deployed jar not at the origin: %v; origin write dir holds:\n%s", err, listFiles(writeDir))
	}
	if !bytes.Equal(built, landed) {
		t.Fatalf("deployed jar differs from target/hello-1.0.0.jar (%d vs %d bytes)", len(landed), len(built))
	}

	// mvn 3.8 sends credentials with its first PUT, so the challenge path of a publish
	// is checked by hand: hoard must relay the origin's 401 and store nothing.
	req, _ := http.NewRequest(http.MethodPut, h.URL+"/maven/hoard/e2e/hello/1.0.0/anonymous.txt", strings.NewReader("x"))
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("anonymous PUT through hoard: %s, WWW-Authenticate %q; want 401 with a Basic challenge",
			resp.Status, resp.Header.Get("WWW-Authenticate"))
	}
	if _, err := os.Stat(filepath.Join(writeDir, "hoard/e2e/hello/1.0.0/anonymous.txt")); err == nil {
		t.Errorf("anonymous PUT landed at the origin")
	}

	up.Close()
	got := getLikeMaven(t, h.URL+"/maven/"+helloJarPath, creds)
	if !bytes.Equal(got, built) {
		t.Fatalf("GET through hoard after deploy, origin down: %d bytes, differ from the built jar (%d bytes)", len(got), len(built))
	}
}

// getLikeMaven GETs url anonymously and, on a Basic challenge, again with creds,
// as Maven does; anything but a final 200 fails the test.
func getLikeMaven(t *testing.T, url, creds string) []byte {
	t.Helper()
	client := &http.Client{Timeout: time.Minute}
	get := func(auth bool) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if auth {
			user, pass, _ := strings.Cut(creds, ":")
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: reading body: %v", url, err)
		}
		return resp, b
	}
	resp, body := get(false)
	if resp.StatusCode == http.StatusUnauthorized && strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
		t.Logf("GET %s: 401 challenge, retrying with credentials", url)
		resp, body = get(true)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %q", url, resp.Status, body)
	}
	return body
}

func listFiles(dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			b.WriteString(rel + "\n")
		}
		return nil
	})
	return b.String()
}
