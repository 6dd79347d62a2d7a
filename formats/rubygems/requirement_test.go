package rubygems

import "testing"

func TestGemRequirements(t *testing.T) {
	cases := []struct {
		req     string
		in, out []string
	}{
		{"~> 1.2", []string{"1.2", "1.2.0", "1.9.9", "1.10", "1.9.rc1"}, []string{"1.1.9", "2.0", "2.0.0.rc1", "1.2.rc1"}},
		{"~> 1.2.3", []string{"1.2.3", "1.2.99"}, []string{"1.3.0", "1.2.2"}},
		{"~> 1", []string{"1.0", "1.99"}, []string{"2.0", "0.9"}},
		{">= 1.0, < 2", []string{"1.0", "1.5.3", "2.0.0.rc1"}, []string{"0.9", "2", "2.0.0"}},
		{"= 1.2.3", []string{"1.2.3", "1.2.3.0"}, []string{"1.2.4", "1.2.3.1"}},
		{"1.2.3", []string{"1.2.3"}, []string{"1.2"}},
		{"!= 1.5", []string{"1.4", "1.5.1"}, []string{"1.5.0"}},
		{"> 1.0.a", []string{"1.0.b", "1.0", "1.0.0.1"}, []string{"1.0.a", "0.9"}},
		{"<= 1.0-beta", []string{"1.0.pre.beta", "1.0.pre.alpha", "0.9"}, []string{"1.0"}},
	}
	for _, c := range cases {
		r, err := Versions{}.ParseRange(c.req)
		if err != nil {
			t.Errorf("ParseRange(%q): %v", c.req, err)
			continue
		}
		for _, v := range c.in {
			if !r.Contains(v) {
				t.Errorf("%q should contain %s", c.req, v)
			}
		}
		for _, v := range c.out {
			if r.Contains(v) {
				t.Errorf("%q should not contain %s", c.req, v)
			}
		}
	}
	for _, bad := range []string{"", "~>", ">= 1.0,", "=> 1.0", "~> a", "1..0", "1.0.", ">= 1.0 < 2", "1.0-", "-1"} {
		if _, err := (Versions{}).ParseRange(bad); err == nil {
			t.Errorf("ParseRange(%q) should fail", bad)
		}
	}
}

func TestGemVersionOrder(t *testing.T) {
	ordered := []string{"junk", "0.9", "1.0.a", "1.0.a1", "1.0.b", "1.0.pre.beta", "1.0.rc1", "1.0", "1.0.0.1", "1.1", "1.9", "1.10", "2.0.0.rc2", "2", "12345678901234567890"}
	for i := range ordered {
		for j := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := (Versions{}).Compare(ordered[i], ordered[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	if (Versions{}).Compare("1.0", "1.0.0") != 0 || (Versions{}).Compare("1.0-beta", "1.0.pre.beta") != 0 {
		t.Error("versions differing only in trailing zeros, or - for .pre., are equal")
	}
}

// FuzzGemRequirement: any text is refused or read as a requirement whose
// Contains never panics; a plain "= V" contains V, and ordering is antisymmetric.
func FuzzGemRequirement(f *testing.F) {
	for _, s := range []string{"~> 1.2", ">= 1.0, < 2", "= 1.2.3", "!= 1.5", "> 1.0.a", "<= 1.0-beta", "1.0", "~>", "=> 1"} {
		f.Add(s, "1.5.0")
	}
	f.Fuzz(func(t *testing.T, req, v string) {
		if a, b := (Versions{}).Compare(req, v), (Versions{}).Compare(v, req); a != -b {
			t.Fatalf("Compare(%q, %q) = %d but reversed %d", req, v, a, b)
		}
		if r, err := (Versions{}).ParseRange(req); err == nil {
			r.Contains(v)
		}
		if _, ok := parseGemVersion(v); ok {
			r, err := Versions{}.ParseRange("= " + v)
			if err != nil || !r.Contains(v) {
				t.Fatalf("= %q does not contain %q (%v)", v, v, err)
			}
			r, err = Versions{}.ParseRange("~> " + v)
			if err != nil || !r.Contains(v) {
				t.Fatalf("~> %q does not contain %q (%v)", v, v, err)
			}
		}
	})
}
