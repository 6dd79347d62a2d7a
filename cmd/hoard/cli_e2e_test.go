package main_test

import (
	"errors"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// exitCode is the status a finished command exited with.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("command did not run: %v", err)
	return -1
}

func TestHelpExitsZeroAndShowsDefaults(t *testing.T) {
	needE2E(t)
	out, err := hoardCmd(t, "serve", "--help")
	if code := exitCode(t, err); code != 0 {
		t.Fatalf("serve --help exited %d:\n%s", code, out)
	}
	for _, want := range []string{`(default ":8080")`, `(default "./hoard-data")`, `(default "upstream")`, `(default "info")`, "maven=maven,"} {
		if !strings.Contains(out, want) {
			t.Errorf("serve --help does not show %s:\n%s", want, out)
		}
	}
	for _, cmd := range []string{"verify", "gc"} {
		out, err := hoardCmd(t, cmd, "-h")
		if code := exitCode(t, err); code != 0 || !strings.Contains(out, "-data-dir") {
			t.Errorf("%s -h exited %d:\n%s", cmd, code, out)
		}
	}
}

func TestStrayArgumentIsAnError(t *testing.T) {
	needE2E(t)
	for _, args := range [][]string{
		{"serve", "extra-arg", "--listen", "127.0.0.1:0"},
		{"verify", "--data-dir", t.TempDir(), "oops"},
		{"gc", "oops", "--data-dir", t.TempDir()},
	} {
		out, err := hoardCmd(t, args...)
		if code := exitCode(t, err); code == 0 || !strings.Contains(out, "unexpected argument") {
			t.Errorf("hoard %s exited %d; want a refusal naming the stray word:\n%s", strings.Join(args, " "), code, out)
		}
	}
}

var versionLine = regexp.MustCompile(`^hoard (\S+) \(commit (\S+)\)\n$`)

func TestVersionAndBuildInfoMetricAgree(t *testing.T) {
	needE2E(t)
	out, err := hoardCmd(t, "--version")
	if exitCode(t, err) != 0 {
		t.Fatalf("--version: %v\n%s", err, out)
	}
	m := versionLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("--version printed %q; want \"hoard VERSION (commit REV)\"", out)
	}
	h := startHoard(t, t.TempDir(), "--mount", "m=maven,http://127.0.0.1:1/")
	resp, err := http.Get(h.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := `hoard_build_info{commit="` + m[2] + `",version="` + m[1] + `"} 1`
	if !strings.Contains(string(body), want) {
		t.Errorf("/metrics lacks %s", want)
	}
}
