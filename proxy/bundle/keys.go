package bundle

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// Keys are ed25519, in the files openssl and Go both read: the private key as
// PKCS #8 ("PRIVATE KEY" PEM, as `openssl genpkey -algorithm ed25519` writes it),
// the public key as PKIX ("PUBLIC KEY" PEM, `openssl pkey -pubout`).

// GenerateKeys writes a new private key to priv (mode 0600) and its public key
// to pub; neither may exist yet.
func GenerateKeys(priv, pub string) error {
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	skDER, err := x509.MarshalPKCS8PrivateKey(sk)
	if err != nil {
		return err
	}
	pkDER, err := x509.MarshalPKIXPublicKey(pk)
	if err != nil {
		return err
	}
	if err := writeNew(priv, 0o600, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: skDER})); err != nil {
		return err
	}
	return writeNew(pub, 0o644, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkDER}))
}

func writeNew(path string, mode os.FileMode, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadPrivateKey reads a PKCS #8 PEM ed25519 private key.
func ReadPrivateKey(path string) (ed25519.PrivateKey, error) {
	der, err := readPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sk, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an ed25519 private key", path)
	}
	return sk, nil
}

// ReadPublicKey reads a PKIX PEM ed25519 public key.
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	der, err := readPEM(path, "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	return ParsePublicKey(der)
}

// ParsePublicKey reads a PKIX DER ed25519 public key.
func ParsePublicKey(der []byte) (ed25519.PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, err
	}
	pk, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("not an ed25519 public key")
	}
	return pk, nil
}

func readPEM(path, typ string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != typ {
		return nil, fmt.Errorf("%s: not a PEM %q block", path, typ)
	}
	return blk.Bytes, nil
}
