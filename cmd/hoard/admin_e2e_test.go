package main_test

import (
	"os"
	"strings"
	"testing"
)

// TestAdminListener: beyond loopback the admin API needs a token, or hoard will not
// start; with one, the CLI must send it.
func TestAdminListener(t *testing.T) {
	needE2E(t)
	out, err := hoardCmd(t, "serve", "--listen", "127.0.0.1:0", "--admin-listen", "0.0.0.0:0", "--auth", "none",
		"--data-dir", t.TempDir(), "--mount", "npm=npm,http://127.0.0.1:9/")
	if err == nil || !strings.Contains(out, "admin.token") {
		t.Fatalf("hoard served an admin API beyond loopback without a token: %v\n%s", err, out)
	}

	t.Setenv("HOARD_TEST_ADMIN_TOKEN", "s3cret-admin")
	cfg := t.TempDir() + "/hoard.yaml"
	os.WriteFile(cfg, []byte("admin:\n  token: env:HOARD_TEST_ADMIN_TOKEN\n"), 0o644)
	h := startHoard(t, t.TempDir(), "--config", cfg, "--mount", "npm=npm,http://127.0.0.1:9/")
	lock := t.TempDir() + "/package-lock.json"
	os.WriteFile(lock, []byte(`{"lockfileVersion":3,"packages":{}}`), 0o644)
	out, err = hoardCmd(t, "warm", "--admin", h.AdminURL, lock)
	if err == nil || !strings.Contains(out, "admin token") {
		t.Errorf("warm without the token: %v\n%s", err, out)
	}
	out, err = hoardCmd(t, "warm", "--admin", h.AdminURL, "--admin-token", "s3cret-admin", lock)
	if err != nil || !strings.Contains(out, "warm: 0 fetched") {
		t.Errorf("warm with the token: %v\n%s", err, out)
	}
	for _, path := range []string{"/api/entries", "/api/stats"} {
		if s := statusOf(t, h.AdminURL+path); s != 401 {
			t.Errorf("%s without the token: status %d, want 401", path, s)
		}
	}
	if out, err := hoardCmd(t, "ls", "--admin", h.AdminURL, "--admin-token", "s3cret-admin"); err != nil {
		t.Errorf("ls with the token: %v\n%s", err, out)
	}
	if out, err := hoardCmd(t, "stats", "--admin", h.AdminURL); err == nil || !strings.Contains(out, "admin token") {
		t.Errorf("stats without the token: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(h.LogPath); strings.Contains(string(b), "s3cret-admin") {
		t.Error("the admin token appears in the log")
	}
	// The clients' listener does not serve the admin API.
	if s := statusOf(t, h.URL+"/api/export"); s == 200 {
		t.Error("the admin API answers on the clients' listener")
	}
}
