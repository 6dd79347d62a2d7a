// Package npmreg drives a real npm registry, Verdaccio, for Hoard's npm end-to-end
// tests and benchmarks: it starts one on a loopback port with its own storage and no
// uplinks, creates a user, builds package tarballs and publish bodies the way npm
// does, and puts a counting reverse proxy in front so a test can tell how many
// requests reached the upstream.
package npmreg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// DefaultToolsDir is where .ci/install-npm puts pnpm, yarn and Verdaccio.
const DefaultToolsDir = "/opt/hoard-ci/npm"

// ToolsBin is the directory holding the installed tools' executables: the
// HOARD_NPM_DIR environment variable's node_modules/.bin, or DefaultToolsDir's.
func ToolsBin() string {
	dir := os.Getenv("HOARD_NPM_DIR")
	if dir == "" {
		dir = DefaultToolsDir
	}
	return filepath.Join(dir, "node_modules", ".bin")
}

// Verdaccio is one running Verdaccio process that this package started.
type Verdaccio struct {
	URL     string // http://127.0.0.1:PORT, no trailing slash
	Dir     string // config, storage, htpasswd and log
	LogPath string
	cmd     *exec.Cmd
	exited  chan struct{}
}

// verdaccioConfig: local packages only (no uplinks), readable by anyone, published
// and unpublished by any authenticated user.
const verdaccioConfig = `storage: %s
auth:
  htpasswd:
    file: %s
    max_users: 1000
uplinks: {}
packages:
  '@*/*':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
  '**':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
max_body_size: 200mb
web:
  enable: false
log: {type: stdout, format: pretty, level: warn}
`

// StartVerdaccio runs bin (the verdaccio executable) with its state in dir on a free
// loopback port and waits until it answers /-/ping.
func StartVerdaccio(bin, dir string) (*Verdaccio, error) {
	if err := os.MkdirAll(filepath.Join(dir, "storage"), 0o755); err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "config.yaml")
	body := fmt.Sprintf(verdaccioConfig, filepath.Join(dir, "storage"), filepath.Join(dir, "htpasswd"))
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		return nil, err
	}
	var lastErr error
	for range 3 { // a port found free can be taken before Verdaccio binds it
		v, err := tryStart(bin, dir, cfg)
		if err == nil {
			return v, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func tryStart(bin, dir, cfg string) (*Verdaccio, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "verdaccio.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--config", cfg, "--listen", addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "NODE_ENV=production")
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	v := &Verdaccio{URL: "http://" + addr, Dir: dir, LogPath: logPath, cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(v.exited) }()
	if err := v.waitReady(60 * time.Second); err != nil {
		v.Stop()
		return nil, fmt.Errorf("verdaccio: %w; log:\n%s", err, tailFile(logPath, 30))
	}
	return v, nil
}

func (v *Verdaccio) waitReady(within time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		select {
		case <-v.exited:
			return errors.New("exited before it was ready")
		default:
		}
		if resp, err := client.Get(v.URL + "/-/ping"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready within %v", within)
}

// Pid is the Verdaccio process id.
func (v *Verdaccio) Pid() int { return v.cmd.Process.Pid }

// Stop ends this Verdaccio (SIGTERM, then SIGKILL after 10s) and waits for it. It is
// safe to call more than once.
func (v *Verdaccio) Stop() {
	select {
	case <-v.exited:
		return
	default:
	}
	_ = v.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-v.exited:
	case <-time.After(10 * time.Second):
		_ = v.cmd.Process.Kill()
		<-v.exited
	}
}

// AddUser creates a user the way npm adduser does and returns its token.
func AddUser(ctx context.Context, registry, name, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"name": name, "password": password, "type": "user"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPut,
		strings.TrimSuffix(registry, "/")+"/-/user/org.couchdb.user:"+name, strings.NewReader(string(body)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		return "", fmt.Errorf("adduser: status %d, error %q, %v", resp.StatusCode, out.Error, err)
	}
	return out.Token, nil
}

// FreeAddr returns a loopback address whose port was free a moment ago.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
