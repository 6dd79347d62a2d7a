// Package gate decides which versions of which packages an operator lets clients
// take: deny and allow lists of PATTERN or PATTERN@RANGE, a minimum release age
// with exempt patterns, a freeze date and a size cap. It knows no protocol: a
// format supplies a Scheme that reads its own version ranges and orders versions.
package gate

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// Scheme is a format's version language: how its ranges are written and how two
// of its versions compare.
type Scheme interface {
	// ParseRange reads a range in the format's own syntax (npm "^1.2", Maven
	// "[1.0,2.0)").
	ParseRange(s string) (Range, error)
	// Compare orders two versions (-1, 0, +1); versions the scheme cannot read
	// sort before those it can, and among themselves by their text.
	Compare(a, b string) int
}

// Range is a set of versions.
type Range interface {
	Contains(version string) bool
}

// Spec is an operator's policy as written, before its ranges are read.
type Spec struct {
	Deny         []string
	Allow        []string
	MinAge       time.Duration
	MinAgeExempt []string
	MaxSize      int64     // bytes; 0 means no cap
	Freeze       time.Time // zero means none
	// AllowUndated lets through, past min_age and freeze, a version whose
	// release time could not be learned; by default it is refused.
	AllowUndated bool
}

// Merge lays a mount's policy over the global one: deny lists and exemptions add
// up; an allow list, min_age, size cap or freeze set on the mount replaces the
// global one.
func Merge(global, mount Spec) Spec {
	out := global
	out.Deny = append(append([]string(nil), global.Deny...), mount.Deny...)
	out.MinAgeExempt = append(append([]string(nil), global.MinAgeExempt...), mount.MinAgeExempt...)
	if len(mount.Allow) > 0 {
		out.Allow = mount.Allow
	}
	if mount.MinAge > 0 {
		out.MinAge = mount.MinAge
	}
	if mount.MaxSize > 0 {
		out.MaxSize = mount.MaxSize
	}
	if !mount.Freeze.IsZero() {
		out.Freeze = mount.Freeze
	}
	out.AllowUndated = global.AllowUndated || mount.AllowUndated
	return out
}

// Rule is one PATTERN or PATTERN@RANGE entry.
type Rule struct {
	Text    string // as written, to name the rule in refusals
	Pattern string
	Range   Range // nil: every version
}

// SplitRule cuts "PATTERN@RANGE" at the first @ after the first character, so a
// scoped npm name ("@acme/*") keeps its leading @.
func SplitRule(s string) (pattern, rng string, hasRange bool) {
	if len(s) > 1 {
		if i := strings.IndexByte(s[1:], '@'); i >= 0 {
			return s[:i+1], s[i+2:], true
		}
	}
	return s, "", false
}

// CheckPattern reports whether a name pattern is well formed (path.Match syntax).
func CheckPattern(p string) error {
	if p == "" {
		return errors.New("empty pattern")
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("bad pattern %q", p)
	}
	return nil
}

func parseRule(s string, scheme Scheme) (Rule, error) {
	pat, rng, has := SplitRule(s)
	if err := CheckPattern(pat); err != nil {
		return Rule{}, err
	}
	r := Rule{Text: s, Pattern: pat}
	if has {
		if scheme == nil {
			return Rule{}, fmt.Errorf("%q: this format has no version ranges", s)
		}
		parsed, err := scheme.ParseRange(rng)
		if err != nil {
			return Rule{}, fmt.Errorf("%q: %w", s, err)
		}
		r.Range = parsed
	}
	return r, nil
}

// matchName reports whether the rule's pattern covers name.
func (r Rule) matchName(name string) bool {
	ok, _ := path.Match(r.Pattern, name)
	return ok
}

// Match reports whether the rule covers this version of name; an empty version
// (a request naming the package only) is covered only by a rule without range.
func (r Rule) Match(name, version string) bool {
	if !r.matchName(name) {
		return false
	}
	if r.Range == nil {
		return true
	}
	return version != "" && r.Range.Contains(version)
}

// CompareReadable orders a and b as Scheme.Compare must: by cmp when parse
// reads both, a version parse cannot read before one it can, and two unreadable
// ones by their text.
func CompareReadable[V any](a, b string, parse func(string) (V, bool), cmp func(V, V) int) int {
	va, okA := parse(a)
	vb, okB := parse(b)
	switch {
	case okA && okB:
		return cmp(va, vb)
	case okA:
		return 1
	case okB:
		return -1
	}
	return strings.Compare(a, b)
}
