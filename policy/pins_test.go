package policy

import "testing"

func TestPinPatternsCover(t *testing.T) {
	p := PinPatterns{"maven": {"com/acme/*"}, "npm": {"@acme/*", "left-pad"}}
	for key, want := range map[string]bool{
		"maven/com/acme/lib/1.0/lib-1.0.jar":  true,
		"maven/com/other/lib/1.0/lib-1.0.jar": false,
		"npm/@acme/x/-/x-1.0.0.tgz":           true,
		"npm/left-pad":                        true,
		"npm/left-pad/-/left-pad-1.0.0.tgz":   true,
		"npm/left-padding":                    false,
		"other/com/acme/lib/1.0/lib-1.0.jar":  false,
		"maven":                               false,
	} {
		if got := p.Covers(key); got != want {
			t.Errorf("Covers(%q) = %v, want %v", key, got, want)
		}
	}
}
