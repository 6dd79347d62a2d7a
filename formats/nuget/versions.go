package nuget

import (
	"strconv"
	"strings"

	"hoard/policy/gate"
)

// semver is a NuGet version read for ordering: up to four numbers (a missing one
// is 0) and the pre-release labels; build metadata never orders.
type semver struct {
	nums [4]int
	pre  []string
}

// parseSemver reads a version as NuGet writes it ("1.0", "1.2.3.4",
// "2.0.0-beta.1+sha"); false when it is not one.
func parseSemver(s string) (semver, bool) {
	var v semver
	if s == "" || len(s) > maxVersionLen {
		return v, false
	}
	core, _, _ := strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) < 1 || len(parts) > 4 {
		return v, false
	}
	for i, p := range parts {
		if p == "" || len(p) > 9 || strings.Trim(p, "0123456789") != "" {
			return v, false
		}
		v.nums[i], _ = strconv.Atoi(p)
	}
	if hasPre {
		if validLabels(pre) != nil {
			return v, false
		}
		v.pre = strings.Split(strings.ToLower(pre), ".")
	}
	return v, true
}

// compare orders two versions as NuGet does: by their numbers, then a release
// after its pre-releases, pre-releases label by label (numeric labels by value
// and before alphanumeric ones, those case-insensitively), more labels last.
func (a semver) compare(b semver) int {
	for i := range a.nums {
		if c := cmpInt(a.nums[i], b.nums[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a.pre) == 0 && len(b.pre) == 0:
		return 0
	case len(a.pre) == 0:
		return 1
	case len(b.pre) == 0:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		if c := compareLabel(a.pre[i], b.pre[i]); c != 0 {
			return c
		}
	}
	return cmpInt(len(a.pre), len(b.pre))
}

func compareLabel(a, b string) int {
	an, aNum := numericLabel(a)
	bn, bNum := numericLabel(b)
	switch {
	case aNum && bNum:
		return cmpInt(an, bn)
	case aNum:
		return -1
	case bNum:
		return 1
	}
	return strings.Compare(a, b)
}

func numericLabel(s string) (int, bool) {
	if s == "" || len(s) > 9 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, true
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

// Versions is NuGet's version scheme for the operator's policy: NuGet version
// ranges ("[1.0,2.0)", "1.0" meaning 1.0 or later) and NuGet's ordering.
type Versions struct{}

// Compare implements gate.Scheme: versions NuGet cannot read sort first, among
// themselves by their text.
func (Versions) Compare(a, b string) int {
	return gate.CompareReadable(a, b, parseSemver, semver.compare)
}

// FoldName implements gate.NameFolder: NuGet ids are case-insensitive, and the
// routes name them in lower case.
func (Versions) FoldName(pattern string) string { return strings.ToLower(pattern) }
