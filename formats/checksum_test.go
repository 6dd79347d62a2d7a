package formats

import "testing"

func TestParseChecksum(t *testing.T) {
	good := map[string][]string{
		"sha1": {"da39a3ee5e6b4b0d3255bfef95601890afd80709", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709  x-1.0.jar\n"},
		"md5":  {"d41d8cd98f00b204e9800998ecf8427e"},
	}
	for algo, bodies := range good {
		for _, b := range bodies {
			if _, err := ParseChecksum(algo, []byte(b)); err != nil {
				t.Errorf("%s %q: %v", algo, b, err)
			}
		}
	}
	bad := map[string]string{"sha1": "xyz", "sha256": "da39a3ee5e6b4b0d3255bfef95601890afd80709", "crc": "00", "md5": ""}
	for algo, b := range bad {
		if _, err := ParseChecksum(algo, []byte(b)); err == nil {
			t.Errorf("%s %q accepted", algo, b)
		}
	}
}
