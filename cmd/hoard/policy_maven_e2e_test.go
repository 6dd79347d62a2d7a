package main_test

// Maven through the policy: the real mvn resolves a version range through the
// real hoard binary, whose upstream is Debian's plugin tree plus an in-memory
// artifact with one old version and one just deployed.

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/origin"
)

const policyLibDir = "/com/example/policy/lib/"

// policyLibRepo serves com.example.policy:lib 1.0 (deployed a month ago) and
// 1.5 (deployed just now) as a Maven repository does: each file's
// Last-Modified is its deploy time, and checksum files sit beside.
type policyLibRepo struct {
	files    map[string][]byte
	modified map[string]time.Time
}

func newPolicyLibRepo(t *testing.T) *policyLibRepo {
	t.Helper()
	r := &policyLibRepo{files: map[string][]byte{}, modified: map[string]time.Time{}}
	old, young := time.Now().AddDate(0, -1, 0), time.Now()
	for v, at := range map[string]time.Time{"1.0": old, "1.5": young} {
		base := policyLibDir + v + "/lib-" + v
		r.add(base+".pom", []byte(fmt.Sprintf(`<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>com.example.policy</groupId><artifactId>lib</artifactId><version>%s</version></project>
`, v)), at)
		r.add(base+".jar", emptyJar(t), at)
	}
	r.add(policyLibDir+"maven-metadata.xml", []byte(`<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>com.example.policy</groupId>
  <artifactId>lib</artifactId>
  <versioning>
    <latest>1.5</latest>
    <release>1.5</release>
    <versions>
      <version>1.0</version>
      <version>1.5</version>
    </versions>
    <lastUpdated>`+young.UTC().Format("20060102150405")+`</lastUpdated>
  </versioning>
</metadata>
`), young)
	return r
}

func (r *policyLibRepo) add(p string, body []byte, at time.Time) {
	sum := sha1.Sum(body)
	r.files[p], r.modified[p] = body, at
	r.files[p+".sha1"], r.modified[p+".sha1"] = []byte(hex.EncodeToString(sum[:])), at
}

func (r *policyLibRepo) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, ok := r.files[req.URL.Path]
	if !ok {
		http.NotFound(w, req)
		return
	}
	http.ServeContent(w, req, "", r.modified[req.URL.Path], bytes.NewReader(body))
}

// emptyJar is a valid jar with only a manifest.
func emptyJar(t *testing.T) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	f, err := zw.Create("META-INF/MANIFEST.MF")
	if err == nil {
		_, err = f.Write([]byte("Manifest-Version: 1.0\r\n\r\n"))
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// policyUserProject is a project depending on com.example.policy:lib:[1.0,2.0),
// its plugins pinned to the versions Debian packages.
func policyUserProject(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "user")
	pom := `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>hoard.e2e</groupId><artifactId>policy-user</artifactId><version>1.0.0</version>
  <properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <dependencies>
    <dependency><groupId>com.example.policy</groupId><artifactId>lib</artifactId><version>[1.0,2.0)</version></dependency>
  </dependencies>
  <build><pluginManagement><plugins>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.0</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.10.1</version></plugin>
  </plugins></pluginManagement></build>
</project>
`
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pom.xml"), []byte(pom), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// mvnThrough runs `mvn compile` of project through hoard's mount, with a fresh
// local repository it returns; -C fails the build on a checksum mismatch.
func mvnThrough(t *testing.T, project, hoardURL, mount string) (local, out string, err error) {
	t.Helper()
	settings := filepath.Join(t.TempDir(), "settings.xml")
	xml := fmt.Sprintf(`<settings><mirrors><mirror><id>hoard</id><mirrorOf>*</mirrorOf><url>%s/%s/</url></mirror></mirrors></settings>`, hoardURL, mount)
	if err := os.WriteFile(settings, []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	local = filepath.Join(t.TempDir(), "m2")
	logPath := filepath.Join(t.TempDir(), "mvn.log")
	err = runTool(t, mvnTimeout, project, logPath, nil, "mvn", "-B", "-ntp", "-C", "-s", settings, "-Dmaven.repo.local="+local, "compile")
	b, _ := os.ReadFile(logPath)
	return local, string(b), err
}

// mvn resolves [1.0,2.0) to 1.0 while 1.5 is younger than min_age, to 1.5 where
// the package is exempt, and fails where it is denied, the rule named in the
// refusal.
func TestMavenPolicyRangeResolution(t *testing.T) {
	requireMaven(t)
	lib := newPolicyLibRepo(t)
	debian := origin.New(origin.Options{Root: debianMavenRepo, Checksums: true})
	up := startUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, originBase)
		if strings.HasPrefix(p, policyLibDir) {
			r.URL.Path = p
			lib.ServeHTTP(w, r)
			return
		}
		http.StripPrefix(originBase, debian).ServeHTTP(w, r)
	}))
	cfg := fmt.Sprintf(`data_dir: unused
mounts:
  - name: maven
    format: maven
    upstream: %[1]s
    policy: {min_age: 3d}
  - name: exempt
    format: maven
    upstream: %[1]s
    policy: {min_age: 3d, min_age_exempt: ["com.example.policy:*"]}
  - name: denied
    format: maven
    upstream: %[1]s
    policy: {deny: ["com.example.policy:lib"]}
`, up.URL()+originBase)
	cfgPath := filepath.Join(t.TempDir(), "hoard.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	h := startHoard(t, t.TempDir(), "--config", cfgPath)
	project := policyUserProject(t)
	jar := func(local, v string) string {
		return filepath.Join(local, "com/example/policy/lib", v, "lib-"+v+".jar")
	}

	local, _, err := mvnThrough(t, project, h.URL, "maven")
	if err != nil {
		t.Fatal(err)
	}
	if !fileExists(jar(local, "1.0")) || fileExists(jar(local, "1.5")) {
		t.Errorf("with min_age mvn resolved: %s; want lib 1.0 only", listFiles(filepath.Join(local, "com/example/policy/lib")))
	}
	if code := policyStatus(t, h.URL+"/maven"+policyLibDir+"1.5/lib-1.5.jar"); code != http.StatusForbidden {
		t.Errorf("direct download of the young jar: status %d, want 403", code)
	}

	local, _, err = mvnThrough(t, project, h.URL, "exempt")
	if err != nil {
		t.Fatal(err)
	}
	if !fileExists(jar(local, "1.5")) {
		t.Errorf("exempt, mvn resolved: %s; want lib 1.5", listFiles(filepath.Join(local, "com/example/policy/lib")))
	}

	_, out, err := mvnThrough(t, project, h.URL, "denied")
	// Maven shows neither body nor headers of a refused maven-metadata.xml: it
	// reports no version in range. The rule is in the answer and in hoard's log.
	if err == nil || !strings.Contains(out, "com.example.policy:lib") {
		t.Errorf("a denied package: err %v, output:\n%s", err, lastLines(out, 20))
	}
	waitPolicyLog(t, h, `"rule":"deny com.example.policy:lib"`)
	resp, err := http.Get(h.URL + "/denied" + policyLibDir + "maven-metadata.xml")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Hoard-Policy") != "deny com.example.policy:lib" {
		t.Errorf("the metadata mvn was refused: %d %q", resp.StatusCode, resp.Header.Get("X-Hoard-Policy"))
	}
}
