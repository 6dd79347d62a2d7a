package npm

import (
	"fmt"
	"strings"
)

// partial is a version in a range, possibly with wildcards: given counts the
// leading numbers written (0 for "*", 2 for "1.2.x").
type partial struct {
	nums  [3]uint64
	given int
	pre   []string
}

func parsePartial(s string) (partial, error) {
	var p partial
	s = strings.TrimPrefix(strings.TrimPrefix(s, "="), "v")
	if s == "" {
		return p, fmt.Errorf("missing version")
	}
	core, build, hasBuild := strings.Cut(s, "+")
	if hasBuild && !validIdents(build, false) {
		return p, fmt.Errorf("%q: bad build metadata", s)
	}
	core, pre, hasPre := strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) > 3 {
		return p, fmt.Errorf("%q has more than three numbers", s)
	}
	wild := false
	for i, part := range parts {
		if part == "x" || part == "X" || part == "*" {
			wild = true
			continue
		}
		if wild {
			return p, fmt.Errorf("%q: a number after a wildcard", s)
		}
		n, err := numericPart(part)
		if err != nil {
			return p, fmt.Errorf("%q: %w", s, err)
		}
		p.nums[i] = n
		p.given = i + 1
	}
	if hasPre {
		if p.given != 3 || !validIdents(pre, true) {
			return p, fmt.Errorf("%q: bad prerelease", s)
		}
		p.pre = strings.Split(pre, ".")
	}
	return p, nil
}

// floor is the lowest version the partial covers.
func (p partial) floor() semver {
	return semver{nums: p.nums, pre: p.pre}
}

// bump is the lowest prerelease above every version that agrees with p on its
// first i+1 numbers: bump(0) of 1.2.3 is 2.0.0-0.
func (p partial) bump(i int) semver {
	var v semver
	copy(v.nums[:i], p.nums[:i])
	v.nums[i] = p.nums[i] + 1
	v.pre = []string{"0"}
	return v
}

func anyRelease() []comparator { return []comparator{{opGE, semver{}}} }

func xRange(p partial) []comparator {
	switch p.given {
	case 0:
		return anyRelease()
	case 3:
		return []comparator{{opEQ, p.floor()}}
	}
	return []comparator{{opGE, p.floor()}, {opLT, p.bump(p.given - 1)}}
}

func tilde(p partial) []comparator {
	switch p.given {
	case 0:
		return anyRelease()
	case 1:
		return []comparator{{opGE, p.floor()}, {opLT, p.bump(0)}}
	}
	return []comparator{{opGE, p.floor()}, {opLT, p.bump(1)}}
}

// caret allows changes that do not modify the left-most non-zero number.
func caret(p partial) []comparator {
	if p.given == 0 {
		return anyRelease()
	}
	lo := comparator{opGE, p.floor()}
	switch {
	case p.nums[0] != 0 || p.given == 1:
		return []comparator{lo, {opLT, p.bump(0)}}
	case p.nums[1] != 0 || p.given == 2:
		return []comparator{lo, {opLT, p.bump(1)}}
	}
	return []comparator{lo, {opLT, p.bump(2)}}
}

func primitive(prefix string, p partial) []comparator {
	if p.given == 0 {
		if prefix == ">=" || prefix == "<=" {
			return anyRelease()
		}
		return []comparator{{opLT, semver{pre: []string{"0"}}}} // ">*", "<*": nothing
	}
	full := p.given == 3
	switch prefix {
	case ">":
		if full {
			return []comparator{{opGT, p.floor()}}
		}
		return []comparator{{opGE, p.bump(p.given - 1).release()}}
	case ">=":
		return []comparator{{opGE, p.floor()}}
	case "<":
		if full {
			return []comparator{{opLT, p.floor()}}
		}
		return []comparator{{opLT, semver{nums: p.nums, pre: []string{"0"}}}}
	}
	if full { // "<="
		return []comparator{{opLE, p.floor()}}
	}
	return []comparator{{opLT, p.bump(p.given - 1)}}
}

// release drops the prerelease.
func (v semver) release() semver { return semver{nums: v.nums} }
