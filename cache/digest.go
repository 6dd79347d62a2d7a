package cache

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Digest names a blob by its content: "sha256:<64 lower-case hex>".
type Digest string

const digestPrefix = "sha256:"

// ParseDigest accepts only "sha256:" followed by exactly 64 lower-case hex
// characters. The hex part becomes a file name, so nothing else may pass.
func ParseDigest(s string) (Digest, error) {
	hex, ok := strings.CutPrefix(s, digestPrefix)
	if !ok || !validHex(hex) {
		return "", fmt.Errorf("cache: invalid digest %q", truncate(s, 80))
	}
	return Digest(s), nil
}

// digestFromHex builds a Digest from a bare hex string, validating it.
func digestFromHex(hex string) (Digest, error) {
	return ParseDigest(digestPrefix + hex)
}

// Hex is the 64-character hex part, or "" when d is not a valid digest (a Digest
// can be built by a plain conversion, so it is re-checked here).
func (d Digest) Hex() string {
	hex, ok := strings.CutPrefix(string(d), digestPrefix)
	if !ok || !validHex(hex) {
		return ""
	}
	return hex
}

// String returns the digest in its "sha256:<hex>" form.
func (d Digest) String() string { return string(d) }

// validHex reports whether s is exactly 64 lower-case hex characters.
func validHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// blobPath is the only place a digest becomes a path; hex must be validated.
func (s *Store) blobPath(hex string) string {
	return filepath.Join(s.blobDir, hex[:2], hex)
}

// checkedHex returns d's hex or an error wrapping ErrNotFound, so a forged
// Digest behaves like a missing blob instead of reaching the file system.
func checkedHex(d Digest) (string, error) {
	hex := d.Hex()
	if hex == "" {
		return "", fmt.Errorf("%w: invalid digest %q", ErrNotFound, truncate(string(d), 80))
	}
	return hex, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
