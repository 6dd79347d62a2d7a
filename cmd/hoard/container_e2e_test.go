package main_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The image's command line with the real binary: defaults in the environment,
// `hoard --flag` as serve, and `hoard health` as its HEALTHCHECK.
func TestContainerEntrypointAndHealth(t *testing.T) {
	needE2E(t)
	addr := freeAddr(t)
	data := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	logPath := filepath.Join(t.TempDir(), "hoard.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	// As `docker run IMAGE --auth none --mount ...` with the image's ENV.
	cmd := exec.CommandContext(ctx, hoardBinary(t), "--auth", "none", "--mount", "m=maven,http://127.0.0.1:9/")
	cmd.Env = append(os.Environ(), "HOARD_DATA_DIR="+data, "HOARD_LISTEN="+addr, "HOARD_ADMIN_LISTEN=off")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := <-exited; err != nil {
			t.Errorf("hoard exited with %v after SIGTERM\n%s", err, tail(logPath, 20))
		}
	}()
	healthEnv := []string{"HOARD_LISTEN=" + addr}
	eventually(t, 30*time.Second, "hoard health passes once the daemon serves", func() bool {
		return runHealth(t, healthEnv) == nil
	})
	if _, err := os.Stat(filepath.Join(data, "index")); err != nil {
		t.Errorf("the daemon did not use HOARD_DATA_DIR: %v\n%s", err, tail(logPath, 20))
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v", err)
	}
	resp.Body.Close()
	// Nothing listening: the check fails, naming what it asked.
	err = runHealth(t, []string{"HOARD_LISTEN=" + freeAddr(t)})
	if err == nil || !strings.Contains(err.Error(), "/healthz") {
		t.Errorf("hoard health with no daemon: %v", err)
	}
}

func runHealth(t *testing.T, env []string) error {
	t.Helper()
	cmd := exec.Command(hoardBinary(t), "health", "--timeout", "2s")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return &healthErr{err: err, out: string(out)}
	}
	return nil
}

type healthErr struct {
	err error
	out string
}

func (e *healthErr) Error() string { return e.err.Error() + ": " + e.out }
