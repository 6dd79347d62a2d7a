package nuget

import (
	"testing"
	"time"

	"hoard/policy/gate"
)

func TestNuGetVersionRanges(t *testing.T) {
	cases := []struct {
		rng     string
		in, out []string
	}{
		{"1.0", []string{"1.0.0", "1.0", "2.5.0", "1.0.0.1"}, []string{"0.9.9", "1.0.0-beta"}},
		{"[1.0,)", []string{"1.0.0", "9.0.0"}, []string{"0.9.0"}},
		{"(1.0,)", []string{"1.0.1", "1.0.0.1"}, []string{"1.0.0", "1.0"}},
		{"[1.0]", []string{"1.0.0", "1.0.0.0", "1.0.0+meta"}, []string{"1.0.1", "1.0.0-rc.1"}},
		{"(,1.0]", []string{"0.1.0", "1.0.0", "1.0.0-alpha"}, []string{"1.0.1"}},
		{"(,1.0)", []string{"0.9.0", "1.0.0-alpha"}, []string{"1.0.0"}},
		{"[1.0,2.0)", []string{"1.0.0", "1.9.9", "2.0.0-beta"}, []string{"2.0.0", "0.9.0"}},
		{"[1.0,2.0]", []string{"2.0.0"}, []string{"2.0.1"}},
		{"(1.0,2.0)", []string{"1.5.0"}, []string{"1.0.0", "2.0.0"}},
		{" [ 1.0 , 2.0 ) ", []string{"1.5.0"}, []string{"2.0.0"}},
		{"[1.0.0-beta.2,1.0.0-beta.10]", []string{"1.0.0-beta.2", "1.0.0-beta.9", "1.0.0-BETA.10"}, []string{"1.0.0-beta.11", "1.0.0", "1.0.0-alpha"}},
	}
	for _, c := range cases {
		r, err := Versions{}.ParseRange(c.rng)
		if err != nil {
			t.Errorf("ParseRange(%q): %v", c.rng, err)
			continue
		}
		for _, v := range c.in {
			if !r.Contains(v) {
				t.Errorf("%q should contain %s", c.rng, v)
			}
		}
		for _, v := range c.out {
			if r.Contains(v) {
				t.Errorf("%q should not contain %s", c.rng, v)
			}
		}
	}
	for _, bad := range []string{"", "(1.0)", "[1.0", "1.0]", "[,]", "(,)", "[2.0,1.0]", "(1.0,1.0)", "1.*", "[a,b]", "[1.0,2.0,3.0]", "1.0.0.0.0"} {
		if _, err := (Versions{}).ParseRange(bad); err == nil {
			t.Errorf("ParseRange(%q) should fail", bad)
		}
	}
}

func TestNuGetVersionOrder(t *testing.T) {
	ordered := []string{"junk", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.0.1", "1.0.1", "1.10.0", "2.0.0"}
	for i := range ordered {
		for j := range ordered {
			want := cmpInt(i, j)
			if got := (Versions{}).Compare(ordered[i], ordered[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	if (Versions{}).Compare("1.0", "1.0.0.0") != 0 || (Versions{}).Compare("1.0.0-RC", "1.0.0-rc") != 0 {
		t.Error("NuGet versions differing only in zeros or case must be equal")
	}
}

// FuzzNuGetVersionRange: any text is refused or read as a range that contains
// its own bounds as written, and Compare is antisymmetric.
func FuzzNuGetVersionRange(f *testing.F) {
	for _, s := range []string{"1.0", "[1.0,2.0)", "(,1.0]", "[1.0]", "(1.0,)", "[1.0.0-beta.2,1.0.0-beta.10]", "(1.0)", "[", "1.*", "[1.0,2.0,3.0]"} {
		f.Add(s, "1.5.0")
	}
	f.Fuzz(func(t *testing.T, rng, v string) {
		if a, b := (Versions{}).Compare(rng, v), (Versions{}).Compare(v, rng); a != -b {
			t.Fatalf("Compare(%q, %q) = %d but reversed %d", rng, v, a, b)
		}
		r, err := Versions{}.ParseRange(rng)
		if err != nil {
			return
		}
		r.Contains(v)
		vr := r.(versionRange)
		if vr.lo != nil && vr.loIncl && !vr.Contains(render(*vr.lo)) {
			t.Fatalf("%q does not contain its inclusive lower bound", rng)
		}
		if vr.hi != nil && vr.hiIncl && !vr.Contains(render(*vr.hi)) {
			t.Fatalf("%q does not contain its inclusive upper bound", rng)
		}
	})
}

// render writes a parsed version back as text NuGet reads as the same version.
func render(v semver) string {
	s := ""
	for i, n := range v.nums {
		if i > 0 {
			s += "."
		}
		s += itoa(n)
	}
	for i, p := range v.pre {
		if i == 0 {
			s += "-"
		} else {
			s += "."
		}
		s += p
	}
	return s
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// The operator writes ids as NuGet displays them; routes carry them in lower case.
func TestPolicyPatternsFoldCase(t *testing.T) {
	g, err := gate.Compile("policy", gate.Spec{Deny: []string{"Acme.*@[1.0,2.0)"}, MinAge: time.Hour, MinAgeExempt: []string{"Acme.Own"}}, Versions{})
	if err != nil {
		t.Fatal(err)
	}
	if !g.Decide(gate.Version{Name: "acme.tools", Version: "1.5.0"}, time.Now()).Refused() {
		t.Error("Acme.*@[1.0,2.0) should refuse acme.tools 1.5.0")
	}
	if g.Decide(gate.Version{Name: "acme.tools", Version: "2.0.0"}, time.Now()).Refused() {
		t.Error("Acme.*@[1.0,2.0) should let acme.tools 2.0.0 through")
	}
	if g.NeedsTime("acme.own") {
		t.Error("Acme.Own is exempt from min_age")
	}
}
