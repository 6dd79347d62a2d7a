package maven

import (
	"net/http/httptest"
	"testing"
)

func TestSubject(t *testing.T) {
	for _, c := range []struct{ path, name, version string }{
		{"/com/acme/foo/1.0/foo-1.0.jar", "com.acme:foo", "1.0"},
		{"/com/acme/foo/1.0/foo-1.0.jar.sha1", "com.acme:foo", "1.0"},
		{"/com/acme/foo/maven-metadata.xml", "com.acme:foo", ""},
		{"/com/acme/foo/maven-metadata.xml.sha1", "com.acme:foo", ""},
		{"/com/acme/foo/1.1-SNAPSHOT/maven-metadata.xml", "com.acme:foo", "1.1-SNAPSHOT"},
	} {
		rt, err := Format{}.Route(httptest.NewRequest("GET", "/m"+c.path, nil), c.path)
		if err != nil {
			t.Fatal(err)
		}
		name, version, ok := Format{}.Subject(rt)
		if !ok || name != c.name || version != c.version {
			t.Errorf("Subject(%s) = %q, %q, %v; want %q, %q", c.path, name, version, ok, c.name, c.version)
		}
	}
}
