package maven

import (
	"errors"
	"fmt"
	"strings"

	"hoard/policy/gate"
)

// interval is one bracketed restriction; an empty bound is open-ended.
type interval struct {
	lo, hi         string
	loIncl, hiIncl bool
}

func (iv interval) contains(v string) bool {
	if iv.lo != "" {
		c := (Versions{}).Compare(v, iv.lo)
		if c < 0 || (c == 0 && !iv.loIncl) {
			return false
		}
	}
	if iv.hi != "" {
		c := (Versions{}).Compare(v, iv.hi)
		if c > 0 || (c == 0 && !iv.hiIncl) {
			return false
		}
	}
	return true
}

type mavenRange []interval

// Contains implements gate.Range.
func (r mavenRange) Contains(v string) bool {
	if v == "" {
		return false
	}
	for _, iv := range r {
		if iv.contains(v) {
			return true
		}
	}
	return false
}

const maxRangeLen = 1024

// ParseRange implements gate.Scheme.
func (Versions) ParseRange(s string) (gate.Range, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, errors.New("empty range")
	case len(s) > maxRangeLen:
		return nil, fmt.Errorf("range longer than %d bytes", maxRangeLen)
	case s[0] != '[' && s[0] != '(':
		if err := checkVersionText(s); err != nil {
			return nil, err
		}
		return mavenRange{{lo: s, hi: s, loIncl: true, hiIncl: true}}, nil
	}
	var out mavenRange
	for rest := s; rest != ""; {
		end := strings.IndexAny(rest, "])")
		if end < 0 {
			return nil, fmt.Errorf("range %q: unclosed bracket", s)
		}
		iv, err := parseInterval(rest[:end+1])
		if err != nil {
			return nil, fmt.Errorf("range %q: %w", s, err)
		}
		out = append(out, iv)
		rest = strings.TrimSpace(rest[end+1:])
		if rest != "" {
			if rest[0] != ',' {
				return nil, fmt.Errorf("range %q: want a comma between restrictions", s)
			}
			rest = strings.TrimSpace(rest[1:])
			if rest == "" {
				return nil, fmt.Errorf("range %q: trailing comma", s)
			}
		}
	}
	return out, nil
}

// parseInterval reads "[lo,hi)", "(,hi]", "[v]".
func parseInterval(s string) (interval, error) {
	if s[0] != '[' && s[0] != '(' {
		return interval{}, fmt.Errorf("%q does not start with [ or (", s)
	}
	iv := interval{loIncl: s[0] == '[', hiIncl: s[len(s)-1] == ']'}
	body := s[1 : len(s)-1]
	lo, hi, two := strings.Cut(body, ",")
	lo, hi = strings.TrimSpace(lo), strings.TrimSpace(hi)
	if !two {
		if !iv.loIncl || !iv.hiIncl || lo == "" {
			return interval{}, fmt.Errorf("%q: a single version must be written [V]", s)
		}
		hi = lo
	}
	if strings.ContainsAny(hi, ",[]()") {
		return interval{}, fmt.Errorf("%q: more than two bounds", s)
	}
	for _, b := range []string{lo, hi} {
		if b != "" {
			if err := checkVersionText(b); err != nil {
				return interval{}, err
			}
		}
	}
	if lo != "" && hi != "" && (Versions{}).Compare(lo, hi) > 0 {
		return interval{}, fmt.Errorf("%q: lower bound above upper bound", s)
	}
	if lo == "" && iv.loIncl || hi == "" && iv.hiIncl {
		return interval{}, fmt.Errorf("%q: an open bound takes ( or )", s)
	}
	iv.lo, iv.hi = lo, hi
	return iv, nil
}

// checkVersionText refuses what no Maven version is made of.
func checkVersionText(v string) error {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= ' ' || c == '/' || c == '\\' || c == ',' || c == '[' || c == ']' || c == '(' || c == ')' || c >= 0x7f {
			return fmt.Errorf("%q is not a version", v)
		}
	}
	return nil
}
