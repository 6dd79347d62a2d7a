package nuget

import (
	"testing"

	"hoard/formats"
)

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

func TestExpireKeys(t *testing.T) {
	got := Format{}.ExpireKeys(formats.PackageChange{Owner: "Acme", Name: "Hoard.App", Version: "1.0.0"})
	want := map[string]bool{"acme/download/hoard.app/index.json": true}
	for _, k := range got {
		if k.Exact && !want[k.Prefix] {
			t.Errorf("unexpected exact key %q", k.Prefix)
		}
		delete(want, k.Prefix)
	}
	if len(want) != 0 || len(got) != 6 {
		t.Errorf("ExpireKeys = %v", got)
	}
	if len(Format{}.ExpireKeys(formats.PackageChange{Owner: "acme", Name: "../x"})) != 0 {
		t.Error("a bad name expired keys")
	}
}
