package formats_test

import (
	"strings"
	"testing"

	"hoard/formats"
	"hoard/formats/maven"
	"hoard/formats/npm"
	"hoard/formats/oci"
)

func TestExpireKeys(t *testing.T) {
	show := func(ps []formats.KeyPattern) string {
		var out []string
		for _, p := range ps {
			if p.Exact {
				out = append(out, p.Prefix)
			} else {
				out = append(out, p.Prefix+"*"+p.Suffix)
			}
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		f    formats.ChangeExpirer
		c    formats.PackageChange
		want []string // each must be among the patterns
		none bool
	}{
		{npm.New(), formats.PackageChange{Owner: "Acme", Name: "lib"}, []string{"pkg/@acme/lib", "pkg/@acme/lib@abbrev"}, false},
		{npm.New(), formats.PackageChange{Owner: "acme", Name: "@acme/lib"}, []string{"pkg/@acme/lib"}, false},
		{npm.New(), formats.PackageChange{Owner: "acme", Name: "../x"}, nil, true},
		{maven.New(), formats.PackageChange{Owner: "acme", Name: "com.acme.lib", Version: "1.1-SNAPSHOT"},
			[]string{"acme/*/com/acme/lib/maven-metadata.xml", "acme/*/com/acme/lib/maven-metadata.xml.sha1",
				"acme/*/com/acme/lib/1.1-SNAPSHOT/maven-metadata.xml", "acme/*/com/acme.lib/maven-metadata.xml"}, false},
		{maven.New(), formats.PackageChange{Owner: "acme", Name: "com/../x"}, nil, true},
		{oci.New(), formats.PackageChange{Owner: "acme", Name: "app", Tag: "v2"},
			[]string{"acme/app/manifests/v2", "acme/app/manifests/v2#*", "acme/app/tags/list*", "acme/app/referrers/*"}, false},
		{oci.New(), formats.PackageChange{Owner: "acme", Name: "app"}, []string{"acme/app/manifests/*"}, false},
	}
	for i, c := range cases {
		got := c.f.ExpireKeys(c.c)
		s := " " + show(got) + " "
		if c.none && len(got) != 0 {
			t.Errorf("%d: %s", i, s)
		}
		for _, w := range c.want {
			if !strings.Contains(s, " "+w+" ") {
				t.Errorf("%d: %s lacks %s", i, s, w)
			}
		}
	}
}
