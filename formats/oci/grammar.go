package oci

import (
	"regexp"
	"strings"
)

// The distribution spec's grammar. A name and a reference become cache keys and
// upstream paths, so nothing that does not match reaches either. Names and tags,
// checked on every request, are matched by hand (grammar_test.go holds the spec's
// regular expressions and checks these against them).
var digestRE = regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`)

// maxNameLen: clients limit host, "/" and name to 255 characters together; a name
// alone of more is never valid anywhere.
const maxNameLen = 255

// ValidName reports whether s is a repository name by the spec's grammar:
// components of [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* joined by "/".
func ValidName(s string) bool {
	if len(s) > maxNameLen {
		return false
	}
	for {
		component, rest, more := strings.Cut(s, "/")
		if !validComponent(component) {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}

// validComponent: runs of lower-case letters and digits, each pair joined by one
// separator: ".", "_", "__" or any number of "-".
func validComponent(c string) bool {
	i := 0
	for {
		start := i
		for i < len(c) && isLowerAlnum(c[i]) {
			i++
		}
		if i == start {
			return false // empty, or a separator not followed by a run
		}
		if i == len(c) {
			return true
		}
		switch c[i] {
		case '.':
			i++
		case '_':
			i++
			if i < len(c) && c[i] == '_' {
				i++
			}
		case '-':
			for i < len(c) && c[i] == '-' {
				i++
			}
		default:
			return false
		}
	}
}

func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// ValidTag reports whether s is a tag by the spec's grammar:
// [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}.
func ValidTag(s string) bool {
	if s == "" || len(s) > 128 || s[0] == '.' || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isLowerAlnum(c) || 'A' <= c && c <= 'Z' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Digest is a validated "algorithm:hex" digest of an algorithm Hoard can verify.
type Digest struct {
	Algo string // sha256 or sha512
	Hex  string // lower-case hex of the algorithm's length
}

func (d Digest) String() string { return d.Algo + ":" + d.Hex }

var digestHexLen = map[string]int{"sha256": 64, "sha512": 128}

// ParseDigest accepts the spec's digest grammar for sha256 and sha512 with the
// encoded part exactly as long as the algorithm's lower-case hex. Other algorithms
// are refused: nothing could verify them.
func ParseDigest(s string) (Digest, bool) {
	if len(s) > 200 || !digestRE.MatchString(s) {
		return Digest{}, false
	}
	algo, hex, _ := strings.Cut(s, ":")
	n, ok := digestHexLen[algo]
	if !ok || len(hex) != n || strings.Trim(hex, "0123456789abcdef") != "" {
		return Digest{}, false
	}
	return Digest{Algo: algo, Hex: hex}, true
}

// looksLikeDigest: a reference with a colon is meant as a digest (tags have none).
func looksLikeDigest(ref string) bool { return strings.Contains(ref, ":") }
