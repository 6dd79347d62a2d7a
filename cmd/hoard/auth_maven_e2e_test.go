package main_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"hoard/bench/fakegithub"
)

// TestAuthClientsMaven: the real mvn builds a project that depends on a private
// package of acme, with every plugin and dependency read through hoard (--auth
// upstream) from the fake GitHub's Maven registry, and deploys it there: with the
// read-only token the build gets everything it reads and the deploy is refused with
// 403 before anything reaches GitHub; with the write token the deployed jar lands.
func TestAuthClientsMaven(t *testing.T) {
	requireMaven(t)
	e := newAuthEnv(t)
	seedMatrix(e)
	h := e.start(hoardConfig{})
	repoURL := h.URL + "/maven/acme/repo/"
	for _, role := range []string{"read", "write"} {
		c := e.creds[role]
		project := copyProject(t)
		pom := filepath.Join(project, "pom.xml")
		b, err := os.ReadFile(pom)
		if err != nil {
			t.Fatal(err)
		}
		dep := "<dependencies>\n    <dependency><groupId>com.acme</groupId><artifactId>lib</artifactId><version>1.0</version></dependency>"
		if err := os.WriteFile(pom, bytes.Replace(b, []byte("<dependencies>"), []byte(dep), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		logPath := filepath.Join(t.TempDir(), "mvn.log")
		writes := e.gh.Writes(fakegithub.Maven)
		err = runTool(t, mvnTimeout, project, logPath, nil, "mvn", "-B", "-ntp", "-C",
			"-s", authMavenSettings(t, repoURL, c), "-Dmaven.repo.local="+filepath.Join(t.TempDir(), "m2"),
			"-DdeployUrl="+repoURL, "deploy")
		out, _ := os.ReadFile(logPath)
		e.guard.saw("mvn deploy as "+role, out)
		// Everything the build read came through: it compiled against the private jar
		// and ran its test.
		assertTestsRan(t, filepath.Join(project, surefireReport))
		landed, ok := e.gh.MavenFile(ghOwner, helloJarPath)
		switch role {
		case "read":
			if err == nil || !regexp.MustCompile(`(?m)^.*Failed to deploy artifacts.*403.*$`).Match(out) {
				t.Errorf("mvn deploy with a read-only token: want a 403 failure of the deploy, got %v", err)
			}
			if n := e.gh.Writes(fakegithub.Maven) - writes; n != 0 || ok {
				t.Errorf("a refused deploy sent %d writes upstream", n)
			}
		case "write":
			if err != nil {
				t.Fatalf("mvn deploy with a write token: %v", err)
			}
			built, _ := os.ReadFile(filepath.Join(project, "target/hello-1.0.0.jar"))
			if !ok || !bytes.Equal(landed, built) {
				t.Errorf("deployed jar at GitHub: %d bytes (found %v), built %d", len(landed), ok, len(built))
			}
		}
	}
}

// authMavenSettings sends every repository to url, with c's token for the server id
// the mirror and the deploy use.
func authMavenSettings(t *testing.T, url string, c cred) string {
	t.Helper()
	xml := fmt.Sprintf(`<settings>
  <servers><server><id>hoard</id><username>%s</username><password>%s</password></server></servers>
  <mirrors><mirror><id>hoard</id><mirrorOf>*</mirrorOf><url>%s</url></mirror></mirrors>
</settings>
`, c.login, c.tok, url)
	p := filepath.Join(t.TempDir(), "settings.xml")
	if err := os.WriteFile(p, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// testJar is a real (if tiny) jar: a manifest and one entry, so javac can read it
// on a class path.
func testJar(entry string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, body := range map[string]string{"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\r\n\r\n", entry: "hoard test entry\n"} {
		w, _ := z.Create(name)
		w.Write([]byte(body))
	}
	z.Close()
	return b.Bytes()
}

func sha1Hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}
