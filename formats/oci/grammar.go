package oci

import (
	"regexp"
	"strings"
)

// The distribution spec's grammar. A name and a reference become cache keys and
// upstream paths, so nothing that does not match reaches either.
var (
	nameComponent = `[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*`
	nameRE        = regexp.MustCompile(`^` + nameComponent + `(?:/` + nameComponent + `)*$`)
	tagRE         = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)
	digestRE      = regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`)
)

// maxNameLen: clients limit host, "/" and name to 255 characters together; a name
// alone of more is never valid anywhere.
const maxNameLen = 255

// ValidName reports whether s is a repository name by the spec's grammar.
func ValidName(s string) bool { return len(s) <= maxNameLen && nameRE.MatchString(s) }

// ValidTag reports whether s is a tag by the spec's grammar.
func ValidTag(s string) bool { return tagRE.MatchString(s) }

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
