package fwdproxy

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func verifyLeaf(t *testing.T, ca *CA, host string) error {
	t.Helper()
	leaf, err := newLeaves(ca).sign(host)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(leaf.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	_, err = cert.Verify(x509.VerifyOptions{DNSName: host, Roots: roots})
	return err
}

func TestCANameConstraints(t *testing.T) {
	ca, err := LoadOrCreateCA(t.TempDir(), []string{"npm.registry.test", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{"npm.registry.test", "127.0.0.1"} {
		if err := verifyLeaf(t, ca, ok); err != nil {
			t.Errorf("leaf for %s: %v", ok, err)
		}
	}
	// A leaf the CA signs for any other host fails verification in the client: a
	// leaked key cannot impersonate other sites.
	for _, bad := range []string{"bank.test", "registry.test", "127.0.0.2"} {
		if err := verifyLeaf(t, ca, bad); err == nil {
			t.Errorf("a leaf for %s verified, outside the CA's name constraints", bad)
		}
	}
}

func TestCAIsKeptAndItsKeyPrivate(t *testing.T) {
	dir := t.TempDir()
	first, err := LoadOrCreateCA(dir, []string{"registry.test"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateCA(dir, []string{"registry.test"})
	if err != nil {
		t.Fatal(err)
	}
	if string(first.CertPEM()) != string(again.CertPEM()) {
		t.Fatal("a second start made a new CA: clients would have to trust it again")
	}
	st, err := os.Stat(filepath.Join(dir, caKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("CA key mode %v, want 0600", st.Mode().Perm())
	}
	_, err = LoadOrCreateCA(dir, []string{"registry.test", "other.test"})
	if err == nil || !strings.Contains(err.Error(), "other.test") {
		t.Fatalf("a host outside the stored CA's constraints: err %v", err)
	}
}

func TestLeavesAreReused(t *testing.T) {
	ca, err := LoadOrCreateCA(t.TempDir(), []string{"registry.test"})
	if err != nil {
		t.Fatal(err)
	}
	l := newLeaves(ca)
	a, _ := l.forHost("registry.test")
	b, _ := l.forHost("registry.test")
	if a != b {
		t.Fatal("a second connection to the same host signed a new leaf")
	}
}
