package maven

import (
	"strings"
	"testing"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

const filterMeta = `<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>com.acme</groupId>
  <artifactId>lib</artifactId>
  <versioning>
    <latest>2.1-SNAPSHOT</latest>
    <release>2.0</release>
    <versions>
      <version>1.0</version>
      <version>1.5</version>
      <version>2.0</version>
      <version>2.1-SNAPSHOT</version>
    </versions>
    <lastUpdated>20261206000000</lastUpdated>
  </versioning>
</metadata>
`

func refuse(vs ...string) func(string, time.Time) gate.Reason {
	return func(v string, _ time.Time) gate.Reason {
		for _, r := range vs {
			if r == v {
				return gate.Reason{Rule: "deny", Detail: "com.acme:lib@" + v}
			}
		}
		return gate.Reason{}
	}
}

func TestFilterMetadataRecomputesLatestAndRelease(t *testing.T) {
	out, hidden, err := Format{}.FilterVersions(formats.Route{}, []byte(filterMeta), refuse("2.0", "2.1-SNAPSHOT"))
	if err != nil || len(hidden) != 2 {
		t.Fatalf("hidden %v err %v", hidden, err)
	}
	s := string(out)
	for _, want := range []string{"<latest>1.5</latest>", "<release>1.5</release>", "<version>1.0</version>\n      <version>1.5</version>\n    </versions>", "<lastUpdated>"} {
		if !strings.Contains(s, want) {
			t.Errorf("filtered document lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "2.0") || strings.Contains(s, "2.1-SNAPSHOT") {
		t.Errorf("a hidden version is still named:\n%s", s)
	}
}

func TestFilterMetadataDropsLatestWhenNothingLeft(t *testing.T) {
	out, _, err := Format{}.FilterVersions(formats.Route{}, []byte(filterMeta), refuse("1.0", "1.5", "2.0", "2.1-SNAPSHOT"))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(out); strings.Contains(s, "<latest>") || strings.Contains(s, "<release>") || strings.Contains(s, "<version>") {
		t.Errorf("filtered document:\n%s", s)
	}
}

func TestFilterMetadataUnchangedWhenNothingHidden(t *testing.T) {
	out, hidden, err := Format{}.FilterVersions(formats.Route{}, []byte(filterMeta), refuse())
	if err != nil || len(hidden) != 0 || string(out) != filterMeta {
		t.Fatalf("changed: hidden %v err %v", hidden, err)
	}
}

func TestFilteredChecksumNamesTheDocument(t *testing.T) {
	rt := readRoute("/com/acme/lib/maven-metadata.xml.sha1")
	doc, algo, ok := Format{}.FilteredChecksum(rt)
	if !ok || algo != "sha1" || doc.Key != "com/acme/lib/maven-metadata.xml" {
		t.Fatalf("FilteredChecksum = %+v %q %v", doc, algo, ok)
	}
	if _, _, ok := (Format{}).FilteredChecksum(readRoute("/com/acme/lib/1.0/lib-1.0.jar.sha1")); ok {
		t.Error("an artifact's checksum was taken for a document's")
	}
}
