package main_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"hoard/bench/origin"
)

// TestGradleBuild: Debian's gradle 4.4.1 (which runs on Java 17 for a plain Java
// build) resolves junit through hoard's maven mount, then again with the origin down.
// Gradle cannot publish over plain HTTP, so deploys are left to the mvn test.
func TestGradleBuild(t *testing.T) {
	needE2E(t)
	requireTools(t, "gradle", "java")
	requireFiles(t, filepath.Join(debianMavenRepo, "junit/junit/4.13.2/junit-4.13.2.jar"))
	o, up := mavenOrigin(t, origin.Options{})
	h := startHoard(t, t.TempDir(), mavenMount(up)...)

	build := func(t *testing.T) {
		t.Helper()
		project := copyProject(t)
		// A fresh Gradle user home: no dependency cache, no daemon left behind.
		args := []string{"--no-daemon", "--console=plain", "--stacktrace",
			"-g", filepath.Join(t.TempDir(), "gradle-home"), "-PrepoUrl=" + h.URL + "/maven/", "build"}
		if err := runTool(t, 10*time.Minute, project, filepath.Join(t.TempDir(), "gradle.log"), nil, "gradle", args...); err != nil {
			t.Fatal(err)
		}
		assertTestsRan(t, filepath.Join(project, "build/test-results/test/TEST-hoard.e2e.hello.HelloTest.xml"))
		requireBuilt(t, filepath.Join(project, "build/libs/hello-1.0.0.jar"))
	}
	if !t.Run("cold", func(t *testing.T) {
		build(t)
		if o.RequestsFor("/junit/junit/4.13.2/junit-4.13.2.jar") == 0 {
			t.Fatalf("junit did not come from the origin through hoard; origin saw %v", o.Paths())
		}
	}) {
		return
	}
	t.Run("origin-down", func(t *testing.T) {
		up.Close()
		build(t)
	})
}

func requireBuilt(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("not built: %v", err)
	}
}
