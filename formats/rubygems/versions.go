package rubygems

import (
	"strings"

	"hoard/policy/gate"
)

// segment is one part of a Gem::Version: a number (digits, without leading
// zeros, "0" for zero) or a run of letters, which makes a version a prerelease.
type segment struct {
	text  string
	isStr bool
}

var zeroSeg = segment{text: "0"}

// gemVersion is a version read as Gem::Version reads it.
type gemVersion []segment

const maxVersionText = 128

// parseGemVersion reads a version as RubyGems does: digits first, then
// dot-separated runs of letters and digits ("1.0", "2.0.0.rc1", "1.0.a"); a
// "-" is RubyGems' ".pre." ("1.0-beta" is "1.0.pre.beta"). false when it is
// not a version.
func parseGemVersion(s string) (gemVersion, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxVersionText || !isDigit(s[0]) {
		return nil, false
	}
	core, pre, hasPre := strings.Cut(s, "-")
	if hasPre {
		if pre == "" || strings.Contains(pre, "..") || pre[0] == '.' || pre[len(pre)-1] == '.' {
			return nil, false
		}
		s = core + ".pre." + strings.ReplaceAll(pre, "-", ".pre.")
	}
	if s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return nil, false
	}
	var v gemVersion
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '.':
			i++
		case isDigit(c):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			n := strings.TrimLeft(s[i:j], "0")
			if n == "" {
				n = "0"
			}
			v = append(v, segment{text: n})
			i = j
		case isLetter(c):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			v = append(v, segment{text: s[i:j], isStr: true})
			i = j
		default:
			return nil, false
		}
	}
	return v, true
}

// canonical drops trailing zeros of the release part and of the prerelease
// part, as Gem::Version#canonical_segments does ("1.0" equals "1").
func (v gemVersion) canonical() gemVersion {
	cut := len(v)
	for i, s := range v {
		if s.isStr {
			cut = i
			break
		}
	}
	rel, pre := trimZeros(v[:cut]), trimZeros(v[cut:])
	return append(append(make(gemVersion, 0, len(rel)+len(pre)), rel...), pre...)
}

func trimZeros(s gemVersion) gemVersion {
	for len(s) > 0 && !s[len(s)-1].isStr && s[len(s)-1].text == "0" {
		s = s[:len(s)-1]
	}
	return s
}

// compare orders as Gem::Version#<=>: segment by segment, a missing one is 0,
// a letter segment before a number, numbers by value, letters by their text.
func (v gemVersion) compare(o gemVersion) int {
	a, b := v.canonical(), o.canonical()
	for i := 0; i < len(a) || i < len(b); i++ {
		x, y := zeroSeg, zeroSeg
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x == y {
			continue
		}
		switch {
		case x.isStr && !y.isStr:
			return -1
		case !x.isStr && y.isStr:
			return 1
		case x.isStr:
			return strings.Compare(x.text, y.text)
		case len(x.text) != len(y.text):
			return cmpLen(len(x.text), len(y.text))
		}
		return strings.Compare(x.text, y.text)
	}
	return 0
}

func cmpLen(a, b int) int {
	if a < b {
		return -1
	}
	return 1
}

// release is the version without its prerelease part ("2.0.0.rc1" is 2.0.0).
func (v gemVersion) release() gemVersion {
	for i, s := range v {
		if s.isStr {
			return v[:i:i]
		}
	}
	return v
}

// bump is the upper bound of "~> v": letter segments and everything after them
// go, then the last segment if more than one is left, and the last left is
// incremented ("1.2.3" bumps to 1.3, "1.2" to 2, "1" to 2).
func (v gemVersion) bump() gemVersion {
	out := append(gemVersion(nil), v.release()...)
	if len(out) > 1 {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return gemVersion{{text: "1"}}
	}
	out[len(out)-1] = segment{text: increment(out[len(out)-1].text)}
	return out
}

// increment adds one to a decimal number written without leading zeros.
func increment(n string) string {
	b := []byte(n)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

// Versions is RubyGems' version scheme for the operator's policy: gem
// requirements ("~> 1.2", ">= 1.0, < 2") and Gem::Version's ordering.
type Versions struct{}

// Compare implements gate.Scheme: versions RubyGems cannot read sort first,
// among themselves by their text.
func (Versions) Compare(a, b string) int {
	return gate.CompareReadable(a, b, parseGemVersion, gemVersion.compare)
}
