package upstream

import "testing"

func TestUpstreamServesByPattern(t *testing.T) {
	u := &Upstream{match: []string{"com/acme/*", "@acme/*"}}
	for pkg, want := range map[string]bool{
		"com/acme/x/1.0": true, "com/acme/x": true, "@acme/tool": true,
		"com/other/x/1.0": false, "com": false, "lodash": false, "@acmex/tool": false,
	} {
		if got := u.Serves(pkg); got != want {
			t.Errorf("%s: %v, want %v", pkg, got, want)
		}
	}
	if !(&Upstream{}).Serves("anything") {
		t.Error("an upstream without patterns serves everything")
	}
}
