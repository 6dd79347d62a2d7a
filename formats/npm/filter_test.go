package npm

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

const filterDoc = `{"name":"left-pad","dist-tags":{"latest":"1.3.0","next":"2.0.0-rc.1","old":"1.0.0"},
"versions":{"1.0.0":{"version":"1.0.0"},"1.2.0":{"version":"1.2.0"},"1.3.0":{"version":"1.3.0"},"2.0.0-rc.1":{"version":"2.0.0-rc.1"}},
"time":{"created":"2020-01-01T00:00:00.000Z","modified":"2026-12-06T00:00:00.000Z",
"1.0.0":"2020-01-01T00:00:00.000Z","1.2.0":"2021-01-01T00:00:00.000Z","1.3.0":"2026-12-06T00:00:00.000Z","2.0.0-rc.1":"2026-12-06T01:00:00.000Z"},
"readme":"<b>pad</b> & more"}`

// youngerThan refuses versions released after cut.
func youngerThan(cut time.Time) func(string, time.Time) gate.Reason {
	return func(_ string, t time.Time) gate.Reason {
		if t.After(cut) {
			return gate.Reason{Rule: "min_age", Detail: "72h0m0s"}
		}
		return gate.Reason{}
	}
}

func TestFilterVersionsKeepsThePackumentConsistent(t *testing.T) {
	out, hidden, err := Format{}.FilterVersions(formats.Route{}, []byte(filterDoc), youngerThan(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	if len(hidden) != 2 {
		t.Fatalf("hidden %v, want 1.3.0 and 2.0.0-rc.1", hidden)
	}
	var doc struct {
		DistTags map[string]string          `json:"dist-tags"`
		Versions map[string]json.RawMessage `json:"versions"`
		Time     map[string]string          `json:"time"`
		Readme   string                     `json:"readme"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc.Versions["1.3.0"]; ok || len(doc.Versions) != 2 {
		t.Errorf("versions %v", doc.Versions)
	}
	if _, ok := doc.Time["1.3.0"]; ok || doc.Time["created"] == "" {
		t.Errorf("time %v", doc.Time)
	}
	// latest moves to the newest release kept; a tag with nothing below it goes.
	if doc.DistTags["latest"] != "1.2.0" || doc.DistTags["old"] != "1.0.0" || doc.DistTags["next"] != "1.2.0" {
		t.Errorf("dist-tags %v", doc.DistTags)
	}
	for tag, v := range doc.DistTags {
		if _, ok := doc.Versions[v]; !ok {
			t.Errorf("dist-tag %s names %s, which is not in versions", tag, v)
		}
	}
	if !strings.Contains(string(out), "<b>pad</b> & more") {
		t.Error("text was escaped")
	}
}

func TestFilterVersionsUnchangedWhenNothingHidden(t *testing.T) {
	out, hidden, err := Format{}.FilterVersions(formats.Route{}, []byte(filterDoc), youngerThan(time.Now()))
	if err != nil || len(hidden) != 0 || string(out) != filterDoc {
		t.Fatalf("out changed or hidden %v, err %v", hidden, err)
	}
}

func TestFilterVersionsDropsTagWithNoSurvivor(t *testing.T) {
	all := func(string, time.Time) gate.Reason { return gate.Reason{Rule: "deny", Detail: "left-pad"} }
	out, hidden, err := Format{}.FilterVersions(formats.Route{}, []byte(filterDoc), all)
	if err != nil || len(hidden) != 4 {
		t.Fatalf("hidden %v, err %v", hidden, err)
	}
	if strings.Contains(string(out), "latest") {
		t.Errorf("a tag survived with no version: %s", out)
	}
}

func TestFilterVersionsRefusesBrokenDocuments(t *testing.T) {
	for _, doc := range []string{`[]`, `{"versions":[]}`, `{"versions":{},"time":[]}`, `{`} {
		if _, _, err := (Format{}).FilterVersions(formats.Route{}, []byte(doc), youngerThan(time.Now())); err == nil {
			t.Errorf("%s accepted", doc)
		}
	}
}
