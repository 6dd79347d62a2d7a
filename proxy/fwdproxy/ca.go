package fwdproxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The CA is made once per install, on the first start in forward-proxy mode, and
// kept in DATA_DIR/ca: the clients that trust it must not be asked again. It is
// never a key shipped with a library (goproxy's built-in one is public). Its name
// constraints limit it to the hosts the mounts front, so a leaked key cannot be
// used to impersonate any other site to a client that trusts it.

const (
	caCertFile = "ca.pem"
	caKeyFile  = "ca-key.pem"
	caLifetime = 10 * 365 * 24 * time.Hour
)

// CA signs the leaf certificates the forward proxy presents for intercepted hosts.
type CA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

// CertPEM is the CA certificate, for clients to trust (`hoard ca export`).
func (ca *CA) CertPEM() []byte { return ca.certPEM }

// LoadOrCreateCA reads the CA in dir, or makes one constrained to hosts (host
// names without ports, or IP addresses). A stored CA whose constraints leave out a
// host is an error: the operator must make a new one and give it to the clients.
func LoadOrCreateCA(dir string, hosts []string) (*CA, error) {
	ca, err := loadCA(dir)
	if errors.Is(err, os.ErrNotExist) {
		ca, err = createCA(dir, hosts)
	}
	if err != nil {
		return nil, err
	}
	for _, h := range hosts {
		if !ca.permits(h) {
			return nil, fmt.Errorf("the forward proxy's CA in %s may not sign for %s (its name constraints predate that host): move the directory away to make a new CA, then give the new one to the clients", dir, h)
		}
	}
	return ca, nil
}

func loadCA(dir string) (*CA, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, caCertFile))
	if err != nil {
		return nil, err
	}
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, caCertFile), filepath.Join(dir, caKeyFile))
	if err != nil {
		return nil, fmt.Errorf("the forward proxy's CA in %s: %w", dir, err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the forward proxy's CA in %s: the key is not ECDSA", dir)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, err
	}
	return &CA{cert: cert, key: key, certPEM: certPEM}, nil
}

func createCA(dir string, hosts []string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "Hoard forward proxy CA", Organization: []string{"Hoard"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	constrain(tmpl, hosts)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := writeCA(dir, certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})); err != nil {
		return nil, err
	}
	return &CA{cert: cert, key: key, certPEM: certPEM}, nil
}

// constrain limits the CA to hosts: names to their DNS names (and their
// subdomains, as X.509 defines it), addresses to themselves.
func constrain(tmpl *x509.Certificate, hosts []string) {
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			bits := 8 * len(ip.To16())
			if v4 := ip.To4(); v4 != nil {
				ip, bits = v4, 32
			}
			tmpl.PermittedIPRanges = append(tmpl.PermittedIPRanges, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		tmpl.PermittedDNSDomains = append(tmpl.PermittedDNSDomains, h)
	}
	tmpl.PermittedDNSDomainsCritical = len(hosts) > 0
	if len(tmpl.PermittedDNSDomains) > 0 && len(tmpl.PermittedIPRanges) == 0 {
		// A constraint of one kind leaves the other open; an empty range of
		// addresses that can never match closes it.
		tmpl.PermittedIPRanges = []*net.IPNet{{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(32, 32)}}
	}
	if len(tmpl.PermittedIPRanges) > 0 && len(tmpl.PermittedDNSDomains) == 0 {
		tmpl.PermittedDNSDomains = []string{"invalid"}
	}
}

// permits reports whether the CA's name constraints allow a leaf for host.
func (ca *CA) permits(host string) bool {
	c := ca.cert
	if len(c.PermittedDNSDomains) == 0 && len(c.PermittedIPRanges) == 0 {
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		return slices.ContainsFunc(c.PermittedIPRanges, func(n *net.IPNet) bool { return n.Contains(ip) })
	}
	return slices.ContainsFunc(c.PermittedDNSDomains, func(d string) bool {
		return host == d || (len(host) > len(d) && host[len(host)-len(d)-1:] == "."+d)
	})
}

// writeCA stores the pair; the key is readable by its owner only.
func writeCA(dir string, certPEM, keyPEM []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, caKeyFile), keyPEM, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, caCertFile), certPEM, 0o644)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return n
}
