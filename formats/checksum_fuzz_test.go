package formats

import (
	"strings"
	"testing"
)

// FuzzParseChecksum: a checksum file from an upstream is refused or yields exactly
// the algorithm's length of lower-case hex, the file's first field.
func FuzzParseChecksum(f *testing.F) {
	for _, s := range []string{
		"da39a3ee5e6b4b0d3255bfef95601890afd80709", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709  x-1.0.jar\n",
		"d41d8cd98f00b204e9800998ecf8427e", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"xyz", "", "\ufeffda39a3ee5e6b4b0d3255bfef95601890afd80709",
	} {
		for _, algo := range []string{"md5", "sha1", "sha256", "sha512", "crc"} {
			f.Add(algo, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, algo string, body []byte) {
		hex, err := ParseChecksum(algo, body)
		if err != nil {
			return
		}
		if len(hex) != checksumHexLen[algo] || strings.Trim(hex, "0123456789abcdef") != "" {
			t.Fatalf("%s %q gave %q", algo, body, hex)
		}
		if fields := strings.Fields(string(body)); !strings.EqualFold(fields[0], hex) {
			t.Fatalf("%q is not the first field of %q", hex, body)
		}
	})
}
