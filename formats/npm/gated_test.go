package npm

import (
	"net/http/httptest"
	"testing"
)

func TestSubject(t *testing.T) {
	for _, c := range []struct{ path, name, version string }{
		{"/lodash", "lodash", ""},
		{"/@acme%2fwidget", "@acme/widget", ""},
		{"/lodash/-/lodash-4.17.21.tgz", "lodash", "4.17.21"},
		{"/@acme/widget/-/widget-1.0.0-rc.1.tgz", "@acme/widget", "1.0.0-rc.1"},
	} {
		rt, err := Format{}.Route(httptest.NewRequest("GET", "/npm"+c.path, nil), c.path)
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		name, version, ok := Format{}.Subject(rt)
		if !ok || name != c.name || version != c.version {
			t.Errorf("Subject(%s) = %q, %q, %v; want %q, %q", c.path, name, version, ok, c.name, c.version)
		}
	}
}
