package main_test

// Helpers for the OCI end-to-end tests: the CNCF distribution registry as a real
// upstream (and as the anchor in proxy mode), crane and skopeo as real clients. They
// are installed by .ci/install-oci into ociBinDir; elsewhere they are looked up on
// PATH, and a test without them skips (or, in CI, fails).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const ociBinDir = "/opt/hoard-ci/bin"

// ociTool finds one of the OCI tools, or skips (fails in CI) without it.
func ociTool(t testing.TB, name string) string {
	t.Helper()
	if p := filepath.Join(ociBinDir, name); fileExists(p) {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is not installed (run .ci/install-oci)", name)
		}
		t.Skipf("%s is not installed (run .ci/install-oci)", name)
	}
	return p
}

// ociFreeAddr is a loopback address whose port was free a moment ago.
func ociFreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// registryProc is one CNCF distribution registry on a loopback port; Stop and Start
// keep its address and storage, so a hoard in front of it sees an upstream go down
// and come back.
type registryProc struct {
	t      testing.TB
	bin    string
	cfg    string
	Addr   string
	log    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// startRegistry runs a registry with deletes enabled; proxyURL, when set, makes it a
// pull-through cache of that upstream (the anchor Hoard is compared with).
func startRegistry(t testing.TB, proxyURL string) *registryProc {
	t.Helper()
	bin := ociTool(t, "registry")
	dir := t.TempDir()
	addr := ociFreeAddr(t)
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n",
		filepath.Join(dir, "data"), addr)
	if proxyURL != "" {
		cfg += "proxy:\n  remoteurl: " + proxyURL + "\n"
	}
	p := &registryProc{t: t, bin: bin, cfg: filepath.Join(dir, "config.yml"), Addr: addr, log: filepath.Join(dir, "registry.log")}
	if err := os.WriteFile(p.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	p.Start()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("--- registry log %s ---\n%s", p.log, tail(p.log, 40))
		}
	})
	return p
}

// URL is the registry's base URL.
func (p *registryProc) URL() string { return "http://" + p.Addr }

// Start runs the registry process and waits until /v2/ answers.
func (p *registryProc) Start() {
	p.t.Helper()
	logf, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	p.cmd = exec.Command(p.bin, "serve", p.cfg)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		p.t.Fatalf("start registry: %v", err)
	}
	p.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); logf.Close(); close(done) }(p.cmd, p.exited)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.URL() + "/v2/")
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("registry on %s did not answer\n%s", p.Addr, tail(p.log, 40))
}

// Stop ends this registry process (by its PID) and waits for it.
func (p *registryProc) Stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	p.cmd = nil
}

// runOCI runs a client and returns its stdout; a failure fails the test with the
// client's output.
func runOCI(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := runOCIErr(t, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v", filepath.Base(name), strings.Join(args, " "), err)
	}
	return out
}

func runOCIErr(t testing.TB, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "DOCKER_CONFIG="+t.TempDir())
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("%w\n%s", err, ociLastLines(stderr.String(), 30))
	}
	return stdout.String(), nil
}

func ociLastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// hostOf strips the scheme: image references name a registry by host:port.
func hostOf(u string) string { return strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://") }

// randomTar writes a tar with one file of n random bytes, a layer for crane append.
func randomTar(t testing.TB, n int) string {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "payload.bin")
	f, err := os.Create(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(f, newRand(), int64(n)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tarPath := filepath.Join(dir, "layer.tar")
	if out, err := exec.Command("tar", "-C", dir, "-cf", tarPath, "payload.bin").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	return tarPath
}

// pushBlob uploads a blob to a registry monolithically (POST, then PUT with the
// digest), as a client would, and returns its digest.
func pushBlob(t testing.TB, base, repo string, body io.ReadSeeker, size int64) string {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, body); err != nil {
		t.Fatal(err)
	}
	body.Seek(0, io.SeekStart)
	dig := "sha256:" + hex.EncodeToString(h.Sum(nil))
	resp, err := http.Post(base+"/v2/"+repo+"/blobs/uploads/", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload start: %d %v", resp.StatusCode, err)
	}
	q := loc.Query()
	q.Set("digest", dig)
	loc.RawQuery = q.Encode()
	req, _ := http.NewRequest(http.MethodPut, loc.String(), body)
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload put: %d", resp.StatusCode)
	}
	return dig
}

// randReader is a fast filler (crypto quality is not needed; each test's bytes only
// have to differ from other tests' and runs').
type randReader struct{ s uint64 }

func newRand() *randReader { return &randReader{s: uint64(time.Now().UnixNano()) | 1} }

func (r *randReader) Read(p []byte) (int, error) {
	for i := range p {
		r.s ^= r.s << 13
		r.s ^= r.s >> 7
		r.s ^= r.s << 17
		p[i] = byte(r.s >> 24)
	}
	return len(p), nil
}
