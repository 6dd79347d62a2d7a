package main_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// verify and gc refuse what is not a stopped daemon's data directory, creating
// nothing, and say why in plain words.
func TestMaintenanceRefusesWrongOrBusyDataDir(t *testing.T) {
	needE2E(t)
	missingDir := filepath.Join(t.TempDir(), "hoard-dta")
	empty := t.TempDir()
	for _, cmd := range []string{"verify", "gc"} {
		out, err := hoardCmd(t, cmd, "--data-dir", missingDir)
		if exitCode(t, err) == 0 || !strings.Contains(out, "does not exist") {
			t.Errorf("%s on a missing directory: %v\n%s", cmd, err, out)
		}
		if _, err := os.Stat(missingDir); err == nil {
			t.Errorf("%s created %s", cmd, missingDir)
		}
		out, err = hoardCmd(t, cmd, "--data-dir", empty)
		if exitCode(t, err) == 0 || !strings.Contains(out, "is not a Hoard data directory") {
			t.Errorf("%s on an empty directory: %v\n%s", cmd, err, out)
		}
		if names := readDir(t, empty); len(names) != 0 {
			t.Errorf("%s wrote %v into a directory it refused", cmd, names)
		}
	}

	data := t.TempDir()
	startHoard(t, data, "--mount", "maven=maven,http://127.0.0.1:9/")
	live := filepath.Join(data, "tmp", "fill-live")
	if err := os.WriteFile(live, []byte("a fill in flight"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"verify", "gc"} {
		out, err := hoardCmd(t, cmd, "--data-dir", data)
		if exitCode(t, err) == 0 || !strings.Contains(out, "stop the daemon first") || strings.Contains(out, "Cannot acquire") {
			t.Errorf("%s beside a running daemon: %v\n%s", cmd, err, out)
		}
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a refused maintenance command deleted the daemon's temp file: %v", err)
	}
}

// verify exits non-zero after finding corruption, with progress and one summary; gc
// reports the temp files it removed.
func TestVerifyAndGCReport(t *testing.T) {
	needE2E(t)
	body := []byte("PK a jar whose bytes will rot on disk")
	up := startUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".jar") {
			w.Write(body)
			return
		}
		http.NotFound(w, r)
	}))
	data := t.TempDir()
	h := startHoard(t, data, "--mount", "maven=maven,"+up.URL())
	resp, err := http.Get(h.URL + "/maven/a/b/1.0/b-1.0.jar")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h.Stop()

	out, err := hoardCmd(t, "verify", "--data-dir", data)
	if exitCode(t, err) != 0 || !strings.Contains(out, "verify: checked 1 blobs: 0 corrupt") {
		t.Fatalf("verify of a sound cache: %v\n%s", err, out)
	}
	blobs, _ := filepath.Glob(filepath.Join(data, "blobs", "sha256", "*", "*"))
	if len(blobs) != 1 {
		t.Fatalf("blob files %v, want one", blobs)
	}
	if err := os.WriteFile(blobs[0], []byte("rotten"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = hoardCmd(t, "verify", "--data-dir", data)
	if exitCode(t, err) != 1 {
		t.Errorf("verify after finding corruption exited %d, want 1:\n%s", exitCode(t, err), out)
	}
	for _, want := range []string{"verify: 0 of 1 blob files (0%)", "verify: 1 of 1 blob files (100%)",
		"verify: checked 1 blobs: 1 corrupt, 1 index entries dropped", "verify found 1 corrupt blobs"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, `{"level"`) {
		t.Errorf("verify printed JSON log lines among its text:\n%s", out)
	}

	if err := os.WriteFile(filepath.Join(data, "tmp", "fill-abandoned"), []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = hoardCmd(t, "gc", "--data-dir", data)
	if exitCode(t, err) != 0 || !strings.Contains(out, "and 1 temp files of interrupted fills (5 bytes)") {
		t.Errorf("gc: %v\n%s", err, out)
	}
}
