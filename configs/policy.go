package configs

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Policy is what an operator lets clients take from a mount (mounts[].policy) or
// from every mount (the top-level policy, which a mount's own extends: deny lists
// and exemptions add up, the other keys set on a mount replace the global ones).
type Policy struct {
	// Deny and Allow list PATTERN or PATTERN@RANGE: the pattern (path.Match) over
	// the package name as the format writes it ("@acme/*", "com.acme:*"), the
	// range in the format's own syntax ("^1.2", "[1.0,2.0)"). Deny wins; a
	// non-empty allow list refuses whatever it does not cover.
	Deny  []string `yaml:"deny"`
	Allow []string `yaml:"allow"`
	// MinAge hides versions released less than this long ago ("3d", "72h").
	MinAge Age `yaml:"min_age"`
	// MinAgeExempt names packages that never wait (an organisation's own).
	MinAgeExempt []string `yaml:"min_age_exempt"`
	// MaxArtifactSize refuses larger artifacts; 0 means no cap.
	MaxArtifactSize ByteSize `yaml:"max_artifact_size"`
	// Freeze hides every version released after this date or time.
	Freeze Date `yaml:"freeze"`
	// Undated says what min_age and freeze do with a version whose release time
	// cannot be learned because the upstream document that dates it cannot be
	// fetched: "refuse" (the default, failing closed) or "allow".
	Undated string `yaml:"undated,omitempty"`
	// Pins are cache key patterns, as `hoard pin` takes them ("com/acme/*",
	// "@acme/*"), whose entries eviction never removes, filled now or later.
	Pins []string `yaml:"pins,omitempty"`
}

// IsZero reports whether the policy sets nothing.
func (p Policy) IsZero() bool {
	return len(p.Deny) == 0 && len(p.Allow) == 0 && p.MinAge == 0 && len(p.MinAgeExempt) == 0 &&
		p.MaxArtifactSize == 0 && p.Freeze.IsZero() && p.Undated == "" && len(p.Pins) == 0
}

// validate checks what can be checked without the format: the patterns. The
// ranges are read by the mount's format when the policy is compiled.
func (p Policy) validate(key string) []error {
	var errs []error
	check := func(list string, entries []string, ranged bool) {
		for i, e := range entries {
			pat := e
			if ranged {
				pat = rulePattern(e)
			}
			if pat == "" {
				errs = append(errs, fmt.Errorf("%s.%s[%d]: empty pattern", key, list, i))
			} else if _, err := path.Match(pat, ""); err != nil {
				errs = append(errs, fmt.Errorf("%s.%s[%d]: bad pattern %q", key, list, i, pat))
			}
		}
	}
	check("deny", p.Deny, true)
	check("allow", p.Allow, true)
	check("min_age_exempt", p.MinAgeExempt, false)
	check("pins", p.Pins, false)
	switch p.Undated {
	case "", "refuse", "allow":
	default:
		errs = append(errs, fmt.Errorf("%s.undated: %q is neither refuse nor allow", key, p.Undated))
	}
	return errs
}

// rulePattern is the PATTERN of PATTERN@RANGE; the @ of a scoped npm name is
// part of the pattern.
func rulePattern(e string) string {
	if len(e) > 1 {
		if i := strings.IndexByte(e[1:], '@'); i >= 0 {
			return e[:i+1]
		}
	}
	return e
}

// Age is a duration that may also be written in days ("7d").
type Age time.Duration

// D returns the value as a time.Duration.
func (a Age) D() time.Duration { return time.Duration(a) }

// UnmarshalYAML implements yaml.Unmarshaler.
func (a *Age) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseAge(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*a = Age(v)
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (a Age) MarshalYAML() (any, error) {
	d := time.Duration(a)
	if d != 0 && d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d", nil
	}
	return d.String(), nil
}

func parseAge(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration like 3d or 72h", s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseUint(days, 10, 16)
		if err != nil {
			return 0, bad
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, bad
	}
	return v, nil
}

// Date is a point in time written as a date ("2026-11-30", midnight UTC) or an
// RFC 3339 time.
type Date struct{ time.Time }

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	t, err := parseDate(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	d.Time = t
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Date) MarshalYAML() (any, error) {
	if d.IsZero() {
		return "", nil
	}
	return d.UTC().Format(time.RFC3339), nil
}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil // as `hoard config print` writes no freeze
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New(strconv.Quote(s) + " is not a date like 2026-11-30 or 2026-11-30T12:00:00Z")
}

// validatePolicies checks the global policy and every mount's.
func (c *Config) validatePolicies() []error {
	errs := c.Policy.validate("policy")
	for i, m := range c.Mounts {
		errs = append(errs, m.Policy.validate(fmt.Sprintf("mounts[%d].policy", i))...)
	}
	return errs
}
