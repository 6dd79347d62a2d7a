package rubygems

import (
	"errors"
	"fmt"
	"strings"

	"hoard/policy/gate"
)

// constraint is one "OP VERSION" of a gem requirement.
type constraint struct {
	op string
	v  gemVersion
}

func (c constraint) holds(v gemVersion) bool {
	cmp := v.compare(c.v)
	switch c.op {
	case "=":
		return cmp == 0
	case "!=":
		return cmp != 0
	case ">":
		return cmp > 0
	case "<":
		return cmp < 0
	case ">=":
		return cmp >= 0
	case "<=":
		return cmp <= 0
	}
	// "~>": at least v, and below v bumped, the candidate's prerelease part
	// aside: "~> 1.2" takes 1.9 and 1.9.rc1, not 2.0.0.rc1.
	return cmp >= 0 && v.release().compare(c.v.bump()) < 0
}

// requirement is a gem requirement: every constraint holds.
type requirement []constraint

// Contains implements gate.Range, as Gem::Requirement#satisfied_by? does: a
// prerelease is in a requirement that its ordering satisfies ("< 2" takes
// 2.0.0.rc1, which comes before 2).
func (r requirement) Contains(version string) bool {
	v, ok := parseGemVersion(version)
	if !ok {
		return false
	}
	for _, c := range r {
		if !c.holds(v) {
			return false
		}
	}
	return true
}

const maxRequirementLen = 512

// ops are the requirement operators, longest first so ">=" is not read as ">".
var ops = []string{"~>", ">=", "<=", "!=", "=", ">", "<"}

// ParseRange implements gate.Scheme with RubyGems' requirement syntax: one or
// more "OP VERSION" separated by commas, OP one of = != > < >= <= ~> ("=" when
// it is left out): "~> 1.2", ">= 1.0, < 2", "= 1.2.3", "1.2.3".
func (Versions) ParseRange(s string) (gate.Range, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty gem requirement")
	}
	if len(s) > maxRequirementLen {
		return nil, fmt.Errorf("gem requirement longer than %d bytes", maxRequirementLen)
	}
	var r requirement
	for _, part := range strings.Split(s, ",") {
		c, err := parseConstraint(part)
		if err != nil {
			return nil, fmt.Errorf("gem requirement %q: %w", s, err)
		}
		r = append(r, c)
	}
	return r, nil
}

func parseConstraint(s string) (constraint, error) {
	s = strings.TrimSpace(s)
	op := "="
	for _, o := range ops {
		if rest, ok := strings.CutPrefix(s, o); ok {
			op, s = o, strings.TrimSpace(rest)
			break
		}
	}
	v, ok := parseGemVersion(s)
	if !ok {
		return constraint{}, fmt.Errorf("%q is not a gem version", s)
	}
	return constraint{op: op, v: v}, nil
}
