package maven

import (
	"strings"
	"testing"
	"time"
)

func TestVersionDatingRoute(t *testing.T) {
	f := New()
	meta := readRoute("/com/acme/lib/maven-metadata.xml")
	jar := readRoute("/com/acme/lib/1.0/lib-1.0.jar")
	for _, c := range []struct {
		from    string
		version string
		want    string
	}{
		{"meta", "2.0", "com/acme/lib/2.0/lib-2.0.pom"},
		{"jar", "1.0", "com/acme/lib/1.0/lib-1.0.pom"},
		{"meta", "../../evil", ""},
		{"meta", "a/b", ""},
		{"meta", "..", ""},
		{"meta", "1.0 beta", ""},
	} {
		rt := meta
		if c.from == "jar" {
			rt = jar
		}
		got, ok := f.VersionDatingRoute(rt, c.version)
		if (c.want == "") == ok || (ok && got.Key != c.want) {
			t.Errorf("VersionDatingRoute(%s, %q) = %q, %v; want %q", c.from, c.version, got.Key, ok, c.want)
		}
	}
}

func TestSetLastUpdated(t *testing.T) {
	doc := []byte("<metadata><versioning><latest>1</latest><lastUpdated>20991231000000</lastUpdated></versioning></metadata>")
	out := string(New().SetLastUpdated(doc, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	if !strings.Contains(out, "<lastUpdated>20260102030405</lastUpdated>") || !strings.Contains(out, "<latest>1</latest>") {
		t.Errorf("SetLastUpdated = %s", out)
	}
}
