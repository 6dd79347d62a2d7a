package npm

import "testing"

func TestRouteKey(t *testing.T) {
	for key, want := range map[string]string{"pkg/@s/a": "@s/a", "pkg/a@abbrev": "a", "pkg/a": "a"} {
		rt, ok := Format{}.RouteKey(key)
		if !ok || rt.Package != want || rt.Key != key {
			t.Errorf("%s: %+v %v", key, rt, ok)
		}
	}
	for _, key := range []string{"tarball/a/-/a-1.0.0.tgz", "pkg/../x", "pkg/"} {
		if _, ok := (Format{}).RouteKey(key); ok {
			t.Errorf("%s routed", key)
		}
	}
}
