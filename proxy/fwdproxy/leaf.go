package fwdproxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// Leaves are short-lived: a copied one is of little use for long. They are kept
// for half their life, so a client never gets one about to expire, and the store
// is bounded: the hosts a proxy intercepts are few, but a bound costs nothing.
const (
	leafLifetime = 24 * time.Hour
	leafKept     = leafLifetime / 2
	leavesKept   = 256
)

// leaves makes and keeps the certificates presented for intercepted hosts.
type leaves struct {
	ca    *CA
	store *expirable.LRU[string, *tls.Certificate]
}

func newLeaves(ca *CA) *leaves {
	return &leaves{ca: ca, store: expirable.NewLRU[string, *tls.Certificate](leavesKept, nil, leafKept)}
}

// forHost is the certificate for host (a name or an address, without port). Two
// connections racing for a new host may both sign one; either is valid.
func (l *leaves) forHost(host string) (*tls.Certificate, error) {
	if c, ok := l.store.Get(host); ok {
		return c, nil
	}
	c, err := l.sign(host)
	if err != nil {
		return nil, err
	}
	l.store.Add(host, c)
	return c, nil
}

func (l *leaves) sign(host string) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		// No common name: OpenSSL checks a CN against the CA's DNS constraints when
		// the leaf has no DNS name, which fails every leaf for an address.
		Subject:     pkix.Name{Organization: []string{"Hoard forward proxy"}},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(leafLifetime),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, l.ca.cert, &key.PublicKey, l.ca.key)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der, l.ca.cert.Raw}, PrivateKey: key}, nil
}
