package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The systemd unit in configs/ passes `systemd-analyze verify` with no complaint at
// all (verify exits 0 on unknown keys and bad values, and only prints them), keeps the
// hardening the README promises, and scores as well-confined by `systemd-analyze
// security`.
func TestSystemdUnit(t *testing.T) {
	requireTools(t, "systemd-analyze")
	unit, err := os.ReadFile("../../configs/hoard.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DynamicUser=yes", "StateDirectory=hoard", "ProtectSystem=strict",
		"NoNewPrivileges=yes", "ExecStart=/usr/local/bin/hoard serve "} {
		if !strings.Contains(string(unit), "\n"+want) {
			t.Errorf("the unit lacks %s", want)
		}
	}
	// verify checks that ExecStart's program exists: point it at the binary built for the tests.
	path := filepath.Join(t.TempDir(), "hoard.service")
	local := strings.ReplaceAll(string(unit), "/usr/local/bin/hoard", hoardBinary(t))
	os.WriteFile(path, []byte(local), 0o644)
	out, err := exec.Command("systemd-analyze", "verify", "--man=no", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}

	out, err = exec.Command("systemd-analyze", "security", "--offline=true", path).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for hoard.service: ([0-9.]+)`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	if score, _ := strconv.ParseFloat(string(m[1]), 64); score > 2.0 {
		t.Errorf("exposure %.1f, want at most 2.0 (OK on systemd's scale):\n%s", score, out)
	}
}
