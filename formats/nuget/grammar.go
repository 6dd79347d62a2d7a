package nuget

import (
	"fmt"
	"strconv"
	"strings"

	"hoard/formats"
)

// maxIDLen is NuGet's limit on a package id.
const maxIDLen = 100

// maxVersionLen bounds a version string; real ones are far shorter.
const maxVersionLen = 128

// isIDByte allows what NuGet ids are made of: letters, digits, '.', '-', '_'.
func isIDByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return c == '.' || c == '-' || c == '_'
}

// normalID checks a package id and returns it lower-cased, as every key and upstream
// path carries it (the flat container is lower case by protocol).
func normalID(id string) (string, error) {
	if id == "" || len(id) > maxIDLen {
		return "", fmt.Errorf("%w: package id must be 1 to %d characters", formats.ErrBadPath, maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		if !isIDByte(id[i]) {
			return "", fmt.Errorf("%w: package id %q: character %q not allowed", formats.ErrBadPath, clip(id), id[i])
		}
	}
	if id[0] == '.' || id[len(id)-1] == '.' || strings.Contains(id, "..") {
		return "", fmt.Errorf("%w: package id %q: misplaced dot", formats.ErrBadPath, clip(id))
	}
	return strings.ToLower(id), nil
}

// normalVersion reads a NuGet version and returns its normalized form (the NuGet
// server API's rules): numbers without leading zeros, a fourth part only when it is
// not zero, at least three parts, build metadata dropped, and lower case, as the
// flat container addresses it. "1.0.0.0" is "1.0.0", "1.01" is "1.1.0",
// "1.0.0-Beta+sha.1" is "1.0.0-beta".
func normalVersion(v string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%w: version %q: %s", formats.ErrBadPath, clip(v), why)
	}
	if v == "" || len(v) > maxVersionLen {
		return bad("must be 1 to 128 characters")
	}
	core, _, _ := strings.Cut(v, "+") // build metadata never names a different package
	core, pre, hasPre := strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 4 {
		return bad("needs two to four numeric parts")
	}
	nums := make([]string, 0, 4)
	for _, p := range parts {
		if p == "" || len(p) > 9 || strings.Trim(p, "0123456789") != "" {
			return bad("numeric parts must be digits")
		}
		n, _ := strconv.Atoi(p)
		nums = append(nums, strconv.Itoa(n))
	}
	for len(nums) < 3 {
		nums = append(nums, "0")
	}
	if len(nums) == 4 && nums[3] == "0" {
		nums = nums[:3]
	}
	out := strings.Join(nums, ".")
	if hasPre {
		if err := validLabels(pre); err != nil {
			return bad(err.Error())
		}
		out += "-" + pre
	}
	return strings.ToLower(out), nil
}

// validLabels checks a pre-release: dot-separated labels of letters, digits and '-'.
func validLabels(pre string) error {
	for _, l := range strings.Split(pre, ".") {
		if l == "" {
			return fmt.Errorf("empty pre-release label")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("pre-release label character %q not allowed", c)
			}
		}
	}
	return nil
}

// isFeedByte allows what a feed's path segment is made of: a GitHub owner or "v3".
func isFeedByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return c == '-' || c == '_' || c == '.'
}

// validFeed checks the feed segment: an owner's login, or "v3" for a plain feed.
func validFeed(f string) error {
	if f == "" || len(f) > 100 || f[0] == '.' {
		return fmt.Errorf("%w: feed %q is not a valid owner", formats.ErrBadPath, clip(f))
	}
	for i := 0; i < len(f); i++ {
		if !isFeedByte(f[i]) {
			return fmt.Errorf("%w: feed %q: character %q not allowed", formats.ErrBadPath, clip(f), f[i])
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
