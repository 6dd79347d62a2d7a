package npm

import "testing"

func TestSemverRangeContains(t *testing.T) {
	cases := []struct {
		rng string
		in  []string
		out []string
	}{
		{"^1.2.3", []string{"1.2.3", "1.9.0", "1.99.99"}, []string{"1.2.2", "2.0.0", "2.0.0-0", "1.5.0-beta.1", "0.9.0"}},
		{"^0.2.3", []string{"0.2.3", "0.2.9"}, []string{"0.3.0", "0.2.2"}},
		{"^0.0.3", []string{"0.0.3"}, []string{"0.0.4", "0.0.2"}},
		{"^0.x", []string{"0.0.0", "0.9.9"}, []string{"1.0.0"}},
		{"^1.2.3-beta.2", []string{"1.2.3-beta.2", "1.2.3-beta.10", "1.2.3", "1.3.0"}, []string{"1.2.3-beta.1", "1.3.0-beta.1", "2.0.0"}},
		{"~1.2.3", []string{"1.2.3", "1.2.9"}, []string{"1.3.0", "1.2.2"}},
		{"~1", []string{"1.0.0", "1.9.9"}, []string{"2.0.0"}},
		{"1.x", []string{"1.0.0", "1.5.5"}, []string{"2.0.0", "0.9.9"}},
		{"1.2", []string{"1.2.0", "1.2.7"}, []string{"1.3.0"}},
		{"*", []string{"0.0.1", "9.9.9"}, []string{"1.0.0-rc.1"}},
		{"1.2.3", []string{"1.2.3", "1.2.3+build.5"}, []string{"1.2.4"}},
		{"v1.2.3", []string{"1.2.3"}, []string{"1.2.4"}},
		{">=1.2.3 <2", []string{"1.2.3", "1.9.9"}, []string{"2.0.0", "1.2.2"}},
		{">= 1.2.3 < 2", []string{"1.5.0"}, []string{"2.0.0"}},
		{">1.2", []string{"1.3.0"}, []string{"1.2.9"}},
		{">1.2.3", []string{"1.2.4"}, []string{"1.2.3"}},
		{"<1.2", []string{"1.1.9"}, []string{"1.2.0", "1.2.0-0"}},
		{"<=1.2", []string{"1.2.9"}, []string{"1.3.0"}},
		{"<=1.2.3", []string{"1.2.3"}, []string{"1.2.4"}},
		{"1.2 - 2.3.4", []string{"1.2.0", "2.3.4"}, []string{"2.3.5", "1.1.9"}},
		{"1.2.3 - 2", []string{"2.9.9"}, []string{"3.0.0"}},
		{"<1 || >=3", []string{"0.5.0", "3.0.0"}, []string{"1.0.0", "2.9.9"}},
		{">*", nil, []string{"0.0.0", "1.0.0"}},
		{"=1.0.0", []string{"1.0.0"}, []string{"1.0.1"}},
	}
	for _, c := range cases {
		r, err := Versions{}.ParseRange(c.rng)
		if err != nil {
			t.Fatalf("ParseRange(%q): %v", c.rng, err)
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
}

func TestSemverRangeRefusesBadInput(t *testing.T) {
	for _, s := range []string{"", "  ", "1.2.3.4", "01.2", "1.x.3", "^a", "1.2-beta", ">=1.2.3 <", "1.2.3-", "1.2.3+", "1.2.3-01"} {
		if _, err := (Versions{}).ParseRange(s); err == nil {
			t.Errorf("ParseRange(%q) accepted", s)
		}
	}
}

func TestSemverCompare(t *testing.T) {
	order := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0", "18446744073709551615.0.0"}
	for i := range order {
		for j := range order {
			want := cmpInt(i, j)
			if got := (Versions{}).Compare(order[i], order[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	if (Versions{}).Compare("junk", "1.0.0") != -1 {
		t.Error("an unreadable version should sort first")
	}
}

func FuzzSemverRange(f *testing.F) {
	for _, s := range []string{"^1.2.3", "1.2 - 2", ">=1 <2 || 3.x", "~0.0.1-rc.1", "*", ">= 1.2"} {
		f.Add(s, "1.2.3")
	}
	f.Fuzz(func(t *testing.T, rng, version string) {
		r, err := (Versions{}).ParseRange(rng)
		if err != nil {
			return
		}
		in := r.Contains(version)
		if _, verr := parseSemver(version); verr != nil && in {
			t.Fatalf("%q contains unreadable version %q", rng, version)
		}
		if (Versions{}).Compare(version, version) != 0 {
			t.Fatalf("Compare(%q, itself) != 0", version)
		}
	})
}
