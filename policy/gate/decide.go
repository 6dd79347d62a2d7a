package gate

import (
	"errors"
	"fmt"
	"time"
)

// Gate is a compiled policy for one mount.
type Gate struct {
	deny, allow, exempt []Rule
	minAge              time.Duration
	maxSize             int64
	freeze              time.Time
	allowUndated        bool
	scheme              Scheme
}

// Compile reads every rule of spec with the format's scheme (nil when the format
// has no version ranges). key is the configuration path that errors are named
// by ("mounts[0].policy").
func Compile(key string, spec Spec, scheme Scheme) (*Gate, error) {
	g := &Gate{minAge: spec.MinAge, maxSize: spec.MaxSize, freeze: spec.Freeze, allowUndated: spec.AllowUndated, scheme: scheme}
	var errs []error
	read := func(list string, in []string, out *[]Rule, ranges bool) {
		for i, s := range in {
			var r Rule
			var err error
			if ranges {
				r, err = parseRule(s, scheme)
			} else {
				r, err = Rule{Text: s, Pattern: s}, CheckPattern(s)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s.%s[%d]: %w", key, list, i, err))
				continue
			}
			*out = append(*out, r)
		}
	}
	read("deny", spec.Deny, &g.deny, true)
	read("allow", spec.Allow, &g.allow, true)
	read("min_age_exempt", spec.MinAgeExempt, &g.exempt, false)
	if f, ok := scheme.(NameFolder); ok {
		for _, rules := range [][]Rule{g.deny, g.allow, g.exempt} {
			for i := range rules {
				rules[i].Pattern = f.FoldName(rules[i].Pattern)
			}
		}
	}
	return g, errors.Join(errs...)
}

// NameFolder is implemented by schemes of formats whose package names are
// case-insensitive (NuGet ids): patterns are folded as the format folds the
// names it judges, so "Acme.*" covers the id a client spells "acme.tools".
type NameFolder interface {
	FoldName(pattern string) string
}

// Empty reports whether the gate lets everything through.
func (g *Gate) Empty() bool {
	return g == nil || (len(g.deny) == 0 && len(g.allow) == 0 && g.minAge == 0 && g.maxSize == 0 && g.freeze.IsZero())
}

// Scheme is the format's version scheme the gate was compiled with.
func (g *Gate) Scheme() Scheme { return g.scheme }

// Reason says why a version is refused; the zero Reason lets it through.
type Reason struct {
	Rule   string // the configuration key that refused it: "deny", "allow", "min_age", "freeze", "max_artifact_size"
	Detail string // the entry or value that decided ("@acme/evil@<2", "72h0m0s")
}

// Refused reports whether the reason refuses.
func (r Reason) Refused() bool { return r.Rule != "" }

func (r Reason) String() string {
	if r.Detail == "" {
		return r.Rule
	}
	return r.Rule + " " + r.Detail
}

// Version is what is known of one version when it is judged.
type Version struct {
	Name    string
	Version string    // "" when a request names only the package
	Time    time.Time // release time (or first seen); zero when unknown
	Size    int64     // bytes; 0 when unknown
	// Undated says the release time could not be learned (the document that
	// dates it could not be fetched): min_age and freeze refuse the version
	// unless the policy allows undated versions.
	Undated bool
}

// Decide judges one version at now. Deny wins over allow; a zero release time
// passes the age and freeze checks (the caller supplies a first-seen time where
// the upstream gives none), an Undated one fails them unless the policy allows
// undated versions: a dating document that cannot be fetched must not open
// the gate.
func (g *Gate) Decide(v Version, now time.Time) Reason {
	if g == nil {
		return Reason{}
	}
	for _, r := range g.deny {
		if r.Match(v.Name, v.Version) {
			return Reason{Rule: "deny", Detail: r.Text}
		}
	}
	if len(g.allow) > 0 && !g.allowed(v) {
		return Reason{Rule: "allow", Detail: "no entry covers " + label(v)}
	}
	if g.maxSize > 0 && v.Size > g.maxSize {
		return Reason{Rule: "max_artifact_size", Detail: fmt.Sprintf("%d bytes over %d", v.Size, g.maxSize)}
	}
	if v.Undated && v.Time.IsZero() {
		return g.undated(v.Name)
	}
	if v.Time.IsZero() {
		return Reason{}
	}
	if !g.freeze.IsZero() && v.Time.After(g.freeze) {
		return Reason{Rule: "freeze", Detail: "published after " + g.freeze.UTC().Format(time.RFC3339)}
	}
	if g.minAge > 0 && now.Sub(v.Time) < g.minAge && !g.isExempt(v.Name) {
		return Reason{Rule: "min_age", Detail: g.minAge.String()}
	}
	return Reason{}
}

// allowed: a version-less request passes when some entry names the package, as
// its metadata is then filtered version by version.
func (g *Gate) allowed(v Version) bool {
	for _, r := range g.allow {
		if v.Version == "" && r.matchName(v.Name) {
			return true
		}
		if r.Match(v.Name, v.Version) {
			return true
		}
	}
	return false
}

// undated judges a version whose release time could not be learned.
func (g *Gate) undated(name string) Reason {
	switch {
	case g.allowUndated:
		return Reason{}
	case g.minAge > 0 && !g.isExempt(name):
		return Reason{Rule: "min_age", Detail: g.minAge.String() + ", release time unknown"}
	case !g.freeze.IsZero():
		return Reason{Rule: "freeze", Detail: "release time unknown"}
	}
	return Reason{}
}

func (g *Gate) isExempt(name string) bool {
	for _, r := range g.exempt {
		if r.matchName(name) {
			return true
		}
	}
	return false
}

func label(v Version) string {
	if v.Version == "" {
		return v.Name
	}
	return v.Name + "@" + v.Version
}

// MinAge is the policy's minimum release age; 0 means none.
func (g *Gate) MinAge() time.Duration {
	if g == nil {
		return 0
	}
	return g.minAge
}

// MaxSize is the policy's size cap in bytes; 0 means none.
func (g *Gate) MaxSize() int64 {
	if g == nil {
		return 0
	}
	return g.maxSize
}

// NeedsTime reports whether a verdict on name can depend on a release time: a
// freeze, or a minimum age the name is not exempt from. Callers look the time up
// only then.
func (g *Gate) NeedsTime(name string) bool {
	if g == nil {
		return false
	}
	return !g.freeze.IsZero() || (g.minAge > 0 && !g.isExempt(name))
}
