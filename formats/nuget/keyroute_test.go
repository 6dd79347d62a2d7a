package nuget

import "testing"

func TestRouteKey(t *testing.T) {
	for key, want := range map[string]bool{
		"acme/index.json":                                     true,
		"acme/registration/hoard.app/index.json":              true,
		"acme/registration-gz/hoard.app/index.json":           true,
		"acme/download/hoard.app/1.0.0/hoard.app.1.0.0.nupkg": false,
		"acme/download/hoard.app/index.json":                  false,
		"nonsense":                                            false,
	} {
		if _, ok := (Format{}).RouteKey(key); ok != want {
			t.Errorf("%s: %v, want %v", key, ok, want)
		}
	}
}
