package main_test

// Helpers for the end-to-end tests, which drive the real hoard binary with real
// package clients (mvn, gradle; later npm, crane...) against an in-process origin.
// Shared by every *_e2e_test.go file in this directory.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the hoard binary, built at most once per test binary.
var (
	binDir    string
	buildOnce sync.Once
	hoardBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hoard-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// hoardBinary builds ./cmd/hoard on first use. When the tests run with -race, so
// does the binary: a data race in the daemon under a real client then fails the test.
func hoardBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		hoardBin = filepath.Join(binDir, "hoard")
		args := []string{"build", "-o", hoardBin}
		if raceEnabled() {
			args = append(args, "-race")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", append(args, ".")...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return hoardBin
}

func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// needE2E skips the test in -short mode.
func needE2E(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test; skipped with -short")
	}
}

// missing reports a client or tool the test cannot run without: a failure in CI,
// where .ci/run installs everything, and a skip on a developer's machine.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set but "+format, args...)
	}
	t.Skipf(format, args...)
}

// requireTools looks up each program on PATH.
func requireTools(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			missing(t, "%s is not installed", n)
		}
	}
}

// requireFiles checks that each path exists.
func requireFiles(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			missing(t, "%s is missing (install the Debian package that ships it)", p)
		}
	}
}

// runTool runs a client with a deadline, its combined output going to logPath. On
// failure it returns an error that carries the output's tail.
func runTool(t *testing.T, timeout time.Duration, dir, logPath string, env []string, name string, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err = cmd.Run()
	t.Logf("%s %s: %v in %v (log %s)", name, strings.Join(args, " "), errOrOK(err), time.Since(start).Round(time.Millisecond), logPath)
	if err != nil {
		return fmt.Errorf("%s: %w\n--- last lines of %s ---\n%s", name, err, logPath, tail(logPath, 60))
	}
	return nil
}

func errOrOK(err error) any {
	if err == nil {
		return "ok"
	}
	return err
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// hoardProc is one running hoard daemon.
type hoardProc struct {
	t       *testing.T
	DataDir string
	URL     string // http://127.0.0.1:PORT
	LogPath string
	cmd     *exec.Cmd
	cancel  context.CancelFunc
	exited  chan struct{} // closed once the process has been waited for
	waitErr error
	// AdminURL is the admin listener's base URL: a free loopback port of its own, so
	// that daemons of several tests never contend for the default one.
	AdminURL string
}

// startHoard runs `hoard serve` on a free loopback port with the given data dir and
// extra flags (mounts, --offline ...), and waits for /readyz. It is stopped with
// SIGTERM when the test ends, unless the test stopped or killed it first; on failure
// the test log shows the daemon's log.
func startHoard(t *testing.T, dataDir string, flags ...string) *hoardProc {
	t.Helper()
	return startHoardOn(t, "", dataDir, flags...)
}

// startHoardOn is startHoard listening on addr ("" picks a free port): a restart on
// the same address keeps the URLs its cached documents carry working.
func startHoardOn(t *testing.T, addr, dataDir string, flags ...string) *hoardProc {
	t.Helper()
	bin := hoardBinary(t)
	var lastErr error
	// A port found free can be taken before hoard binds it; try a few.
	for range 3 {
		h, err := tryStartHoard(t, bin, addr, dataDir, flags)
		if err == nil {
			return h
		}
		lastErr = err
	}
	t.Fatalf("hoard did not become ready: %v", lastErr)
	return nil
}

func tryStartHoard(t *testing.T, bin, addr, dataDir string, flags []string) (*hoardProc, error) {
	if addr == "" {
		addr = freeAddr(t)
	}
	logf, err := os.CreateTemp(t.TempDir(), "hoard-*.log")
	if err != nil {
		t.Fatal(err)
	}
	// The deadline bounds a daemon that hangs; the tests stop it long before.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	adminAddr := freeAddr(t)
	args := append([]string{"serve", "--listen", addr, "--admin-listen", adminAddr, "--data-dir", dataDir,
		"--log-level", "debug", "--auth", "none"}, flags...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		logf.Close()
		t.Fatalf("start hoard: %v", err)
	}
	h := &hoardProc{t: t, DataDir: dataDir, URL: "http://" + addr, AdminURL: "http://" + adminAddr, LogPath: logf.Name(),
		cmd: cmd, cancel: cancel, exited: make(chan struct{})}
	go func() {
		h.waitErr = cmd.Wait()
		logf.Close()
		close(h.exited)
	}()
	t.Cleanup(func() {
		if h.running() {
			h.Stop()
		}
		if t.Failed() {
			t.Logf("--- hoard log %s (pid %d) ---\n%s", h.LogPath, cmd.Process.Pid, tail(h.LogPath, 200))
		}
	})
	t.Logf("hoard %s (pid %d)", strings.Join(args, " "), cmd.Process.Pid)
	if err := h.waitReady(30 * time.Second); err != nil {
		if h.running() {
			h.Kill()
		}
		return nil, fmt.Errorf("%v\n--- hoard log ---\n%s", err, tail(h.LogPath, 60))
	}
	return h, nil
}

func (h *hoardProc) waitReady(within time.Duration) error {
	deadline := time.Now().Add(within)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		if !h.running() {
			return fmt.Errorf("hoard exited: %v", h.waitErr)
		}
		resp, err := client.Get(h.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("/readyz not 200 within %v", within)
}

func (h *hoardProc) running() bool {
	select {
	case <-h.exited:
		return false
	default:
		return true
	}
}

// Stop sends SIGTERM and fails the test unless hoard exits cleanly and in time, and
// without a race report.
func (h *hoardProc) Stop() {
	h.t.Helper()
	defer h.cancel()
	if err := h.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		h.t.Errorf("SIGTERM hoard: %v", err)
	}
	select {
	case <-h.exited:
	case <-time.After(30 * time.Second):
		h.t.Errorf("hoard did not exit within 30s of SIGTERM; killing it")
		h.Kill()
		return
	}
	if h.waitErr != nil {
		h.t.Errorf("hoard exited with %v after SIGTERM", h.waitErr)
	}
	if b, _ := os.ReadFile(h.LogPath); bytes.Contains(b, []byte("WARNING: DATA RACE")) {
		h.t.Errorf("hoard reported a data race; see its log %s", h.LogPath)
	}
}

// Kill sends SIGKILL to this hoard's PID and waits for it to die.
func (h *hoardProc) Kill() {
	h.t.Helper()
	defer h.cancel()
	if err := h.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		h.t.Errorf("SIGKILL hoard: %v", err)
	}
	select {
	case <-h.exited:
	case <-time.After(30 * time.Second):
		h.t.Fatalf("hoard (pid %d) still running 30s after SIGKILL", h.cmd.Process.Pid)
	}
}

// hoardCmd runs a one-shot subcommand (verify, gc) and returns its output.
func hoardCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, hoardBinary(t), args...).CombinedOutput()
	return string(out), err
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// upstream is an in-process origin on 127.0.0.1 that can be closed and brought
// back on the same address, so a running hoard keeps pointing at it.
type upstream struct {
	t    *testing.T
	h    http.Handler
	addr string
	srv  *httptest.Server
}

// startUpstream serves h on a new loopback port until the test ends.
func startUpstream(t *testing.T, h http.Handler) *upstream {
	t.Helper()
	u := &upstream{t: t, h: h, addr: "127.0.0.1:0"}
	u.Start()
	t.Cleanup(u.Close)
	return u
}

// URL is the origin's base URL, without a trailing slash.
func (u *upstream) URL() string { return "http://" + u.addr }

// Start (re)opens the listener on the same address; Go's listeners set
// SO_REUSEADDR, so the port is free again right after Close.
func (u *upstream) Start() {
	u.t.Helper()
	l, err := net.Listen("tcp", u.addr)
	if err != nil {
		u.t.Fatalf("origin listen %s: %v", u.addr, err)
	}
	u.addr = l.Addr().String()
	u.srv = httptest.NewUnstartedServer(u.h)
	u.srv.Listener = l
	u.srv.Start()
}

// Close stops the origin: connections to it are refused until Start.
func (u *upstream) Close() {
	if u.srv != nil {
		u.srv.Close()
		u.srv = nil
	}
}
