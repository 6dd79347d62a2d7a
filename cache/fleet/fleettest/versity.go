// Package fleettest starts a real S3 server for tests: versitygw over a temp
// directory (its posix backend), on loopback. In CI (CI set) a missing
// versitygw fails the test; elsewhere it skips.
package fleettest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Server is a running versitygw.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT
	Bucket   string
	Access   string
	Secret   string
	Dir      string // the posix root: Dir/Bucket/<object key>
}

// Binary finds versitygw: $HOARD_VERSITYGW, /opt/hoard-ci/bin, then PATH.
func Binary(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("HOARD_VERSITYGW"), "/opt/hoard-ci/bin/versitygw"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("versitygw is not installed (.ci/run installs it)")
	}
	t.Skip("versitygw not installed; .ci/run installs it")
	return ""
}

// Start runs versitygw until the test ends, with one empty bucket.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	s := &Server{Bucket: "hoard-fleet", Access: "hoardtest", Secret: "hoardtestsecret", Dir: t.TempDir()}
	// The posix backend serves each top directory as a bucket.
	if err := os.Mkdir(filepath.Join(s.Dir, s.Bucket), 0o755); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	s.Endpoint = "http://" + addr
	cmd := exec.Command(bin, "--access", s.Access, "--secret", s.Secret, "--port", addr, "posix", "--sidecar", t.TempDir(), s.Dir)
	log, err := os.Create(filepath.Join(t.TempDir(), "versitygw.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		log.Close()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return s
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("versitygw did not start: %v\n%s", err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Credentials is the key pair as the credentials file holds it.
func (s *Server) Credentials() string { return fmt.Sprintf("%s:%s", s.Access, s.Secret) }

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
