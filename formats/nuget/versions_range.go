package nuget

import (
	"errors"
	"fmt"
	"strings"

	"hoard/policy/gate"
)

// versionRange is a NuGet version range: an interval whose missing bound is open.
type versionRange struct {
	lo, hi         *semver
	loIncl, hiIncl bool
}

// Contains implements gate.Range; a version NuGet cannot read is in no range.
func (r versionRange) Contains(version string) bool {
	v, ok := parseSemver(version)
	if !ok {
		return false
	}
	if r.lo != nil {
		if c := v.compare(*r.lo); c < 0 || c == 0 && !r.loIncl {
			return false
		}
	}
	if r.hi != nil {
		if c := v.compare(*r.hi); c > 0 || c == 0 && !r.hiIncl {
			return false
		}
	}
	return true
}

const maxRangeLen = 512

// ParseRange implements gate.Scheme with NuGet's version range syntax: "1.0"
// (1.0 or later), "[1.0]" (exactly), "[1.0,2.0)", "(1.0,)", "(,2.0]" and the
// like. Floating versions ("1.*") are a client's resolution, not a range, and are
// refused.
func (Versions) ParseRange(s string) (gate.Range, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, errors.New("empty NuGet version range")
	case len(s) > maxRangeLen:
		return nil, fmt.Errorf("NuGet version range longer than %d bytes", maxRangeLen)
	case s[0] != '[' && s[0] != '(':
		v, err := rangeBound(s)
		if err != nil || v == nil {
			return nil, fmt.Errorf("NuGet version range %q: not a version", s)
		}
		return versionRange{lo: v, loIncl: true}, nil
	}
	last := s[len(s)-1]
	if len(s) < 3 || last != ']' && last != ')' {
		return nil, fmt.Errorf("NuGet version range %q: must end with ] or )", s)
	}
	r := versionRange{loIncl: s[0] == '[', hiIncl: last == ']'}
	inner := s[1 : len(s)-1]
	loText, hiText, two := strings.Cut(inner, ",")
	if !two {
		// "[1.0]" is exactly 1.0; "(1.0)" means nothing.
		v, err := rangeBound(inner)
		if err != nil || v == nil || !r.loIncl || !r.hiIncl {
			return nil, fmt.Errorf("NuGet version range %q: a single version is written [V]", s)
		}
		return versionRange{lo: v, hi: v, loIncl: true, hiIncl: true}, nil
	}
	var err1, err2 error
	r.lo, err1 = rangeBound(loText)
	r.hi, err2 = rangeBound(hiText)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("NuGet version range %q: %w", s, err)
	}
	if r.lo == nil && r.hi == nil {
		return nil, fmt.Errorf("NuGet version range %q: no bound", s)
	}
	if r.lo != nil && r.hi != nil {
		if c := r.lo.compare(*r.hi); c > 0 || c == 0 && !(r.loIncl && r.hiIncl) {
			return nil, fmt.Errorf("NuGet version range %q: empty", s)
		}
	}
	return r, nil
}

// rangeBound reads one bound; nil for an empty (open) one.
func rangeBound(s string) (*semver, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	v, ok := parseSemver(s)
	if !ok {
		return nil, fmt.Errorf("%q is not a NuGet version", s)
	}
	return &v, nil
}
