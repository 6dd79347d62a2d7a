package gate

import (
	"strings"
	"testing"
	"time"
)

// exact is a scheme whose ranges are single versions or "<N" over whole numbers,
// enough to test the gate without a format.
type exact struct{}

type exactRange string

func (r exactRange) Contains(v string) bool {
	if lt, ok := strings.CutPrefix(string(r), "<"); ok {
		return len(v) < len(lt) || (len(v) == len(lt) && v < lt)
	}
	return string(r) == v
}

func (exact) ParseRange(s string) (Range, error) {
	if s == "" || strings.Contains(s, " ") {
		return nil, errBadRange
	}
	return exactRange(s), nil
}

func (exact) Compare(a, b string) int { return strings.Compare(a, b) }

var errBadRange = &rangeError{}

type rangeError struct{}

func (*rangeError) Error() string { return "bad range" }

func TestSplitRule(t *testing.T) {
	for _, c := range []struct{ in, pat, rng string }{
		{"@acme/*", "@acme/*", ""},
		{"@acme/evil@<2", "@acme/evil", "<2"},
		{"lodash@4.17.20", "lodash", "4.17.20"},
		{"com.acme:*@[1.0,2.0)", "com.acme:*", "[1.0,2.0)"},
		{"rails", "rails", ""},
	} {
		pat, rng, _ := SplitRule(c.in)
		if pat != c.pat || rng != c.rng {
			t.Errorf("SplitRule(%q) = %q, %q; want %q, %q", c.in, pat, rng, c.pat, c.rng)
		}
	}
}

func TestDecide(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	g, err := Compile("policy", Spec{
		Deny:         []string{"evil", "@acme/old@<3"},
		MinAge:       72 * time.Hour,
		MinAgeExempt: []string{"@acme/*"},
		MaxSize:      1000,
		Freeze:       now.Add(-time.Hour),
	}, exact{})
	if err != nil {
		t.Fatal(err)
	}
	old := now.Add(-100 * time.Hour)
	young := now.Add(-2 * time.Hour)
	cases := []struct {
		v    Version
		rule string
	}{
		{Version{Name: "evil", Version: "1"}, "deny"},
		{Version{Name: "evil"}, "deny"},
		{Version{Name: "@acme/old", Version: "2", Time: old}, "deny"},
		{Version{Name: "@acme/old", Version: "3", Time: old}, ""},
		{Version{Name: "@acme/old"}, ""}, // a ranged deny leaves the package's metadata to filtering
		{Version{Name: "left-pad", Version: "1", Time: young}, "min_age"},
		{Version{Name: "@acme/new", Version: "1", Time: young}, ""},
		{Version{Name: "left-pad", Version: "1", Time: old}, ""},
		{Version{Name: "left-pad", Version: "1"}, ""}, // unknown time passes
		{Version{Name: "@acme/new", Version: "1", Time: now}, "freeze"},
		{Version{Name: "big", Version: "1", Size: 1001}, "max_artifact_size"},
	}
	for _, c := range cases {
		if got := g.Decide(c.v, now); got.Rule != c.rule {
			t.Errorf("Decide(%+v) = %q, want %q", c.v, got, c.rule)
		}
	}
}

func TestAllowList(t *testing.T) {
	g, err := Compile("policy", Spec{Allow: []string{"@acme/*", "lodash@4"}}, exact{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, c := range []struct {
		v       Version
		refused bool
	}{
		{Version{Name: "@acme/x", Version: "9"}, false},
		{Version{Name: "lodash", Version: "4"}, false},
		{Version{Name: "lodash", Version: "3"}, true},
		{Version{Name: "lodash"}, false},
		{Version{Name: "react"}, true},
	} {
		if got := g.Decide(c.v, now); got.Refused() != c.refused {
			t.Errorf("Decide(%+v) = %q, want refused=%v", c.v, got, c.refused)
		}
	}
}

func TestCompileNamesKeyPath(t *testing.T) {
	_, err := Compile("mounts[2].policy", Spec{Deny: []string{"ok", "x@bad range"}, Allow: []string{"[bad"}, MinAgeExempt: []string{""}}, exact{})
	for _, want := range []string{"mounts[2].policy.deny[1]", "mounts[2].policy.allow[0]", "mounts[2].policy.min_age_exempt[0]"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
	if _, err := Compile("policy", Spec{Deny: []string{"x@1"}}, nil); err == nil {
		t.Error("a range for a format without a scheme was accepted")
	}
}

func TestMerge(t *testing.T) {
	m := Merge(Spec{Deny: []string{"a"}, Allow: []string{"g"}, MinAge: time.Hour}, Spec{Deny: []string{"b"}, MinAge: 2 * time.Hour})
	if len(m.Deny) != 2 || len(m.Allow) != 1 || m.MinAge != 2*time.Hour {
		t.Errorf("Merge = %+v", m)
	}
	if !(&Gate{}).Empty() || (*Gate)(nil).Decide(Version{Name: "x"}, time.Now()).Refused() {
		t.Error("an empty gate refuses")
	}
}

func TestUndatedFailsClosed(t *testing.T) {
	now := time.Now()
	spec := Spec{MinAge: time.Hour, MinAgeExempt: []string{"own"}}
	g, _ := Compile("policy", spec, exact{})
	if got := g.Decide(Version{Name: "x", Version: "1", Undated: true}, now); got.Rule != "min_age" || !strings.Contains(got.Detail, "unknown") {
		t.Errorf("undated version under min_age: %q, want refused by min_age", got)
	}
	if got := g.Decide(Version{Name: "own", Version: "1", Undated: true}, now); got.Refused() {
		t.Errorf("undated exempt version refused: %q", got)
	}
	if got := g.Decide(Version{Name: "x", Version: "1", Undated: true, Time: now.Add(-2 * time.Hour)}, now); got.Refused() {
		t.Errorf("a version with a time is judged by it: %q", got)
	}
	spec.AllowUndated = true
	g, _ = Compile("policy", spec, exact{})
	if got := g.Decide(Version{Name: "x", Version: "1", Undated: true}, now); got.Refused() {
		t.Errorf("undated allowed, still refused: %q", got)
	}
	frozen, _ := Compile("policy", Spec{Freeze: now}, exact{})
	if got := frozen.Decide(Version{Name: "x", Version: "1", Undated: true}, now); got.Rule != "freeze" {
		t.Errorf("undated version under a freeze: %q", got)
	}
}
