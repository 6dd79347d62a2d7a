package npm

import (
	"fmt"
	"strings"
)

// op is a comparator's operator.
type op int

const (
	opEQ op = iota
	opLT
	opLE
	opGT
	opGE
)

type comparator struct {
	op op
	v  semver
}

func (c comparator) test(v semver) bool {
	d := v.compare(c.v)
	switch c.op {
	case opLT:
		return d < 0
	case opLE:
		return d <= 0
	case opGT:
		return d > 0
	case opGE:
		return d >= 0
	}
	return d == 0
}

// semverRange is a union of comparator sets; an empty set matches every release.
type semverRange [][]comparator

// Contains reports whether version satisfies the range, with node-semver's rule
// for prereleases: one is taken only when some comparator of the set names a
// prerelease of the same MAJOR.MINOR.PATCH.
func (r semverRange) Contains(version string) bool {
	v, err := parseSemver(version)
	if err != nil {
		return false
	}
	for _, set := range r {
		if setMatches(set, v) {
			return true
		}
	}
	return false
}

func setMatches(set []comparator, v semver) bool {
	for _, c := range set {
		if !c.test(v) {
			return false
		}
	}
	if len(v.pre) == 0 {
		return true
	}
	for _, c := range set {
		if len(c.v.pre) > 0 && c.v.nums == v.nums {
			return true
		}
	}
	return false
}

// maxRangeLen bounds what the parser reads: ranges come from an operator's file.
const maxRangeLen = 1024

func parseSemverRange(s string) (semverRange, error) {
	if len(s) > maxRangeLen {
		return nil, fmt.Errorf("range longer than %d bytes", maxRangeLen)
	}
	if strings.TrimSpace(s) == "" {
		return nil, errEmptyRange
	}
	var out semverRange
	for _, part := range strings.Split(s, "||") {
		set, err := parseSet(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("range %q: %w", s, err)
		}
		out = append(out, set)
	}
	return out, nil
}

// parseSet reads one comparator set: a hyphen range or space-separated terms.
func parseSet(s string) ([]comparator, error) {
	if s == "" {
		return nil, nil // "" within || means any release, as in node-semver
	}
	if lo, hi, ok := strings.Cut(s, " - "); ok {
		return hyphenRange(strings.TrimSpace(lo), strings.TrimSpace(hi))
	}
	var set []comparator
	fields := joinOperators(strings.Fields(s))
	for _, f := range fields {
		cs, err := parseTerm(f)
		if err != nil {
			return nil, err
		}
		set = append(set, cs...)
	}
	return set, nil
}

// joinOperators glues an operator written apart from its version (">= 1.2").
func joinOperators(fields []string) []string {
	var out []string
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if strings.Trim(f, "<>=~^") == "" && i+1 < len(fields) {
			f += fields[i+1]
			i++
		}
		out = append(out, f)
	}
	return out
}

func hyphenRange(lo, hi string) ([]comparator, error) {
	a, err := parsePartial(lo)
	if err != nil {
		return nil, err
	}
	b, err := parsePartial(hi)
	if err != nil {
		return nil, err
	}
	var set []comparator
	if a.given > 0 {
		set = append(set, comparator{opGE, a.floor()})
	}
	if b.given > 0 {
		if b.given == 3 {
			set = append(set, comparator{opLE, b.floor()})
		} else {
			set = append(set, comparator{opLT, b.bump(b.given - 1)})
		}
	}
	return set, nil
}

func parseTerm(t string) ([]comparator, error) {
	var prefix string
	for _, p := range []string{">=", "<=", ">", "<", "=", "~>", "~", "^"} {
		if strings.HasPrefix(t, p) {
			prefix, t = p, t[len(p):]
			break
		}
	}
	p, err := parsePartial(t)
	if err != nil {
		return nil, err
	}
	switch prefix {
	case "", "=":
		return xRange(p), nil
	case "~", "~>":
		return tilde(p), nil
	case "^":
		return caret(p), nil
	}
	return primitive(prefix, p), nil
}
