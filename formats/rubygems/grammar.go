package rubygems

import (
	"fmt"
	"strings"

	"hoard/formats"
)

// maxName bounds a gem name, a version or a platform: rubygems.org's longest names
// are far shorter, and a bound keeps keys and log lines small.
const maxName = 128

// validName accepts a gem name as RubyGems does: letters, digits, '.', '-' and
// '_', not starting with '.' or '-' (which would also let "." and ".." through).
func validName(s string) error {
	if s == "" || len(s) > maxName || s[0] == '.' || s[0] == '-' {
		return fmt.Errorf("%w: invalid gem name %q", formats.ErrBadPath, clip(s))
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return fmt.Errorf("%w: invalid gem name %q", formats.ErrBadPath, clip(s))
		}
	}
	return nil
}

func isNameByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '-' || c == '_'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// validVersion accepts a version as Gem::Version writes it: a digit first, then
// letters, digits and single dots ("1.0.0", "2.0.0.rc1", "1.0.pre.pre"); a '-' in
// a version is turned into ".pre." by RubyGems, so it never appears.
func validVersion(s string) bool {
	if s == "" || len(s) > maxName || !isDigit(s[0]) || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '.' {
			return false
		}
	}
	return true
}

// validPlatform accepts a platform as gem file names and the compact index carry
// it: "java", "x86_64-linux", "universal-darwin-21", "x64-mingw-ucrt"; it starts
// with a letter, so where a version ends and a platform starts is never ambiguous.
func validPlatform(s string) bool {
	if s == "" || len(s) > maxName || !isLetter(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.' {
			return false
		}
	}
	return true
}

// validRelease accepts "VERSION" or "VERSION-PLATFORM": how a version of a gem is
// named in /info lines and, after "NAME-", in file names.
func validRelease(s string) bool {
	v, plat, hasPlat := strings.Cut(s, "-")
	return validVersion(v) && (!hasPlat || validPlatform(plat))
}

// isPrerelease: a version with a letter in it is a prerelease to RubyGems.
func isPrerelease(version string) bool {
	for i := 0; i < len(version); i++ {
		if isLetter(version[i]) {
			return true
		}
	}
	return false
}

// fullName is one reading of a file name's stem, "NAME-VERSION[-PLATFORM]".
type fullName struct {
	name    string
	release string // VERSION or VERSION-PLATFORM, as its /info line names it
}

// splitFullName reads a stem into every (name, release) it can be: a name may hold
// dashes and digits ("net-http-2", "foo-2-1.0"), so each dash followed by a digit
// is a candidate split. Readings without a platform come first, then the one with
// the longest name: the order in which they are looked up in /info.
func splitFullName(stem string) []fullName {
	if validName(stem) != nil {
		return nil
	}
	var plain, platformed []fullName
	for i := len(stem) - 2; i > 0; i-- {
		if stem[i] != '-' || !isDigit(stem[i+1]) {
			continue
		}
		fn := fullName{name: stem[:i], release: stem[i+1:]}
		if validName(fn.name) != nil || !validRelease(fn.release) {
			continue
		}
		if strings.Contains(fn.release, "-") {
			platformed = append(platformed, fn)
		} else {
			plain = append(plain, fn)
		}
	}
	return append(plain, platformed...)
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
