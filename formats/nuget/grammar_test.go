package nuget

import "testing"

func TestNormalVersion(t *testing.T) {
	for in, want := range map[string]string{
		"1.0": "1.0.0", "1.0.0.0": "1.0.0", "1.0.0.1": "1.0.0.1", "01.002.0": "1.2.0",
		"1.0.0-Beta": "1.0.0-beta", "1.0.0-beta+sha.1": "1.0.0-beta", "1.0.0+build": "1.0.0",
		"2.0.0-rc.1.2": "2.0.0-rc.1.2",
	} {
		if got, err := normalVersion(in); err != nil || got != want {
			t.Errorf("normalVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1", "1.0.0.0.0", "a.b", "1.0-", "1.0.0-be/ta", "1..0", "1.0.0-..", "1.0.0-a..b", "-1.0"} {
		if got, err := normalVersion(bad); err == nil {
			t.Errorf("normalVersion(%q) = %q, want an error", bad, got)
		}
	}
}

func TestNormalID(t *testing.T) {
	if got, err := normalID("Newtonsoft.Json"); err != nil || got != "newtonsoft.json" {
		t.Errorf("normalID = %q, %v", got, err)
	}
	for _, bad := range []string{"", ".x", "x.", "a..b", "a/b", "a%2fb", "a b", string(make([]byte, 101))} {
		if _, err := normalID(bad); err == nil {
			t.Errorf("normalID(%q) accepted", bad)
		}
	}
}
