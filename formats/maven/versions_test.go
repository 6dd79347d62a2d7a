package maven

import "testing"

func TestMavenCompare(t *testing.T) {
	order := []string{"1-alpha", "1-alpha-2", "1-beta", "1-m1", "1-rc1", "1-SNAPSHOT", "1", "1-sp", "1-zzz", "1.0.1", "1.2", "1.10", "2.0-rc1", "2.0", "10"}
	for i := range order {
		for j := range order {
			if got := (Versions{}).Compare(order[i], order[j]); got != cmp3(i, j) {
				t.Errorf("Compare(%s, %s) = %d, want %d", order[i], order[j], got, cmp3(i, j))
			}
		}
	}
	for _, eq := range [][2]string{{"1", "1.0.0"}, {"1.0-ga", "1"}, {"1.0-final", "1.0"}, {"1-a1", "1-alpha-1"}, {"1-CR1", "1-rc-1"}, {"01.2", "1.2"}} {
		if (Versions{}).Compare(eq[0], eq[1]) != 0 {
			t.Errorf("%s and %s should be equal", eq[0], eq[1])
		}
	}
}

func TestMavenRangeContains(t *testing.T) {
	cases := []struct {
		rng     string
		in, out []string
	}{
		{"[1.0,2.0)", []string{"1.0", "1.5", "1.9.9", "2.0-rc1"}, []string{"0.9", "2.0", "2.1"}},
		{"[1.0,2.0]", []string{"2.0"}, []string{"2.0.1"}},
		{"(1.0,)", []string{"1.0.1", "99"}, []string{"1.0", "0.1"}},
		{"(,1.5]", []string{"1.5", "0.1"}, []string{"1.6"}},
		{"[1.2]", []string{"1.2", "1.2.0"}, []string{"1.2.1"}},
		{"1.2", []string{"1.2"}, []string{"1.3"}},
		{"(,1.0],[1.2,)", []string{"0.9", "1.0", "1.2", "3"}, []string{"1.1"}},
		{" [1.0 , 2.0) ", []string{"1.0"}, []string{"2.0"}},
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

func TestMavenRangeRefusesBadInput(t *testing.T) {
	for _, s := range []string{"", "[1.0,2.0", "[2.0,1.0]", "(1.0)", "[1,2,3]", "[,1.0]", "[1.0,)x", "[1.0,2.0),", "1.0 2.0", "[1.0,2.0)]"} {
		if _, err := (Versions{}).ParseRange(s); err == nil {
			t.Errorf("ParseRange(%q) accepted", s)
		}
	}
}

func FuzzMavenRange(f *testing.F) {
	for _, s := range []string{"[1.0,2.0)", "(,1.0],[1.2,)", "[1.2]", "1.0-SNAPSHOT"} {
		f.Add(s, "1.5")
	}
	f.Fuzz(func(t *testing.T, rng, version string) {
		if c := (Versions{}).Compare(version, version); c != 0 {
			t.Fatalf("Compare(%q, itself) = %d", version, c)
		}
		r, err := (Versions{}).ParseRange(rng)
		if err != nil {
			return
		}
		_ = r.Contains(version)
	})
}
