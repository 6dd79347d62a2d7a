package npm

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"hoard/policy/gate"
)

// Versions is npm's version scheme for operator policies: semver 2.0.0 versions
// and node-semver ranges ("^1.2", "~1.2.3", "1.x", ">=1 <2", "1 - 2", "||").
type Versions struct{}

var _ gate.Scheme = Versions{}

// semver is one parsed version; pre holds the prerelease identifiers.
type semver struct {
	nums [3]uint64
	pre  []string
}

// parseSemver reads a strict semver 2.0.0 version, build metadata ignored.
func parseSemver(s string) (semver, error) {
	var v semver
	core, build, hasBuild := strings.Cut(s, "+")
	if hasBuild && !validIdents(build, false) {
		return v, fmt.Errorf("version %q: bad build metadata", s)
	}
	core, pre, hasPre := strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("version %q is not MAJOR.MINOR.PATCH", s)
	}
	for i, p := range parts {
		n, err := numericPart(p)
		if err != nil {
			return v, fmt.Errorf("version %q: %w", s, err)
		}
		v.nums[i] = n
	}
	if hasPre {
		if !validIdents(pre, true) {
			return v, fmt.Errorf("version %q: bad prerelease", s)
		}
		v.pre = strings.Split(pre, ".")
	}
	return v, nil
}

func numericPart(p string) (uint64, error) {
	if p == "" || (len(p) > 1 && p[0] == '0') {
		return 0, fmt.Errorf("%q is not a number without leading zeros", p)
	}
	n, err := strconv.ParseUint(p, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", p)
	}
	return n, nil
}

// validIdents checks dot-separated identifiers of [0-9A-Za-z-]; in a prerelease
// a numeric identifier has no leading zero.
func validIdents(s string, pre bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		numeric := true
		for i := 0; i < len(id); i++ {
			c := id[i]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
				numeric = false
			default:
				return false
			}
		}
		if pre && numeric && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

func (a semver) compare(b semver) int {
	for i := range a.nums {
		if a.nums[i] != b.nums[i] {
			if a.nums[i] < b.nums[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a.pre) == 0 && len(b.pre) == 0:
		return 0
	case len(a.pre) == 0:
		return 1 // a release sorts after its prereleases
	case len(b.pre) == 0:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		if c := compareIdent(a.pre[i], b.pre[i]); c != 0 {
			return c
		}
	}
	return cmpInt(len(a.pre), len(b.pre))
}

// compareIdent orders prerelease identifiers: numeric ones by value and before
// alphanumeric ones, which compare as ASCII.
func compareIdent(a, b string) int {
	an, bn := isDigits(a), isDigits(b)
	switch {
	case an && bn:
		if len(a) != len(b) {
			return cmpInt(len(a), len(b))
		}
		return strings.Compare(a, b)
	case an:
		return -1
	case bn:
		return 1
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Compare implements gate.Scheme.
func (Versions) Compare(a, b string) int {
	return gate.CompareReadable(a, b, readSemver, semver.compare)
}

// readSemver is parseSemver for gate.CompareReadable.
func readSemver(s string) (semver, bool) {
	v, err := parseSemver(s)
	return v, err == nil
}

// ParseRange implements gate.Scheme.
func (Versions) ParseRange(s string) (gate.Range, error) {
	return parseSemverRange(s)
}

// errEmptyRange is refused outright: an operator writing "pkg@" meant something.
var errEmptyRange = errors.New("empty range")
