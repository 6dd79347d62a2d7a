package formats

import (
	"fmt"
	"strings"
)

var checksumHexLen = map[string]int{"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}

// ParseChecksum reads a published checksum file: the first whitespace-separated field
// is the hex digest (some tools append a file name after it).
func ParseChecksum(algo string, body []byte) (string, error) {
	want, ok := checksumHexLen[algo]
	if !ok {
		return "", fmt.Errorf("unknown checksum algorithm %q", algo)
	}
	fields := strings.Fields(string(body))
	if len(fields) == 0 {
		return "", fmt.Errorf("empty %s checksum file", algo)
	}
	hex := strings.ToLower(fields[0])
	if len(hex) != want || strings.Trim(hex, "0123456789abcdef") != "" {
		return "", fmt.Errorf("malformed %s checksum", algo)
	}
	return hex, nil
}
