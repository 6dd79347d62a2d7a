package nuget

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

// judgeYoung refuses versions released after cut, and 2.0.0-beta by a deny.
func judgeYoung(cut time.Time) func(string, time.Time) gate.Reason {
	return func(v string, released time.Time) gate.Reason {
		if v == "2.0.0-beta" {
			return gate.Reason{Rule: "deny", Detail: "tool@[2.0.0-beta]"}
		}
		if released.After(cut) {
			return gate.Reason{Rule: "min_age", Detail: "72h0m0s"}
		}
		return gate.Reason{}
	}
}

func leafJSON(ver, published string) string {
	return `{"@id":"x","catalogEntry":{"id":"Tool","version":"` + ver + `","published":"` + published + `"},"packageContent":"y"}`
}

func TestFilterRegistrationIndex(t *testing.T) {
	old, young := "2020-01-01T00:00:00Z", "2026-12-06T00:00:00.123+00:00"
	doc := `{"@id":"i","count":3,"items":[` +
		`{"@id":"p1","count":2,"lower":"1.0.0","upper":"1.1.0","items":[` + leafJSON("1.0.0", old) + `,` + leafJSON("1.1.0", old) + `]},` +
		`{"@id":"p2","count":3,"lower":"1.2.0","upper":"2.0.0","items":[` + leafJSON("1.2.0", old) + `,` + leafJSON("1.3.0", young) + `,` + leafJSON("2.0.0-beta", old) + `]},` +
		`{"@id":"p3","count":1,"lower":"3.0.0","upper":"3.0.0","items":[` + leafJSON("3.0.0", young) + `]},` +
		`{"@id":"p4","count":64,"lower":"4.0.0","upper":"5.0.0"}]}`
	rt := registration("acme", slugRegSemV2, "tool", indexFile)
	cut := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out, hidden, err := Format{}.FilterVersions(rt, []byte(doc), judgeYoung(cut))
	if err != nil {
		t.Fatal(err)
	}
	if len(hidden) != 3 {
		t.Errorf("hidden %v, want 1.3.0, 2.0.0-beta, 3.0.0", hidden)
	}
	var reg struct {
		Count int `json:"count"`
		Items []struct {
			ID    string            `json:"@id"`
			Count int               `json:"count"`
			Lower string            `json:"lower"`
			Upper string            `json:"upper"`
			Items []json.RawMessage `json:"items"`
		} `json:"items"`
	}
	if err := json.Unmarshal(out, &reg); err != nil {
		t.Fatal(err)
	}
	if reg.Count != 3 || len(reg.Items) != 3 {
		t.Fatalf("count %d, %d pages; want the emptied page gone: %s", reg.Count, len(reg.Items), out)
	}
	p2 := reg.Items[1]
	if p2.ID != "p2" || p2.Count != 1 || p2.Lower != "1.2.0" || p2.Upper != "1.2.0" || len(p2.Items) != 1 {
		t.Errorf("page 2 = %+v, want one leaf 1.2.0 with bounds 1.2.0", p2)
	}
	if p4 := reg.Items[2]; p4.ID != "p4" || p4.Lower != "4.0.0" || p4.Upper != "5.0.0" || p4.Count != 64 {
		t.Errorf("a linked page keeps its upstream bounds: %+v", p4)
	}
	times := Format{}.ReleaseTimes([]byte(doc))
	if !times["1.3.0"].Equal(time.Date(2026, 12, 6, 0, 0, 0, 123e6, time.UTC)) || len(times) != 6 {
		t.Errorf("release times %v", times)
	}
	// Nothing refused: the very bytes.
	same, hidden, _ := Format{}.FilterVersions(rt, []byte(doc), func(string, time.Time) gate.Reason { return gate.Reason{} })
	if string(same) != doc || hidden != nil {
		t.Error("a document with nothing hidden must be kept byte for byte")
	}
}

func TestFilterRegistrationPageAndFlat(t *testing.T) {
	page := `{"@id":"p","count":2,"lower":"1.0.0","upper":"2.0.0-beta","parent":"i","items":[` + leafJSON("1.0.0", "2020-01-01T00:00:00Z") + `,` + leafJSON("2.0.0-beta", "2020-01-01T00:00:00Z") + `]}`
	rt := registration("acme", slugReg, "tool", "page/1.0.0/2.0.0-beta.json")
	out, hidden, err := Format{}.FilterVersions(rt, []byte(page), judgeYoung(time.Now()))
	if err != nil || len(hidden) != 1 {
		t.Fatalf("hidden %v, err %v", hidden, err)
	}
	if !strings.Contains(string(out), `"upper":"1.0.0"`) || !strings.Contains(string(out), `"count":1`) {
		t.Errorf("page bounds not those of the leaves kept: %s", out)
	}
	flat := `{"versions":["1.0.0","2.0.0-beta","2.0.0"]}`
	out, hidden, err = Format{}.FilterVersions(versionsRoute("acme", "tool"), []byte(flat), judgeYoung(time.Now()))
	if err != nil || len(hidden) != 1 || string(out) != `{"versions":["1.0.0","2.0.0"]}` {
		t.Errorf("flat container: %s, hidden %v, err %v", out, hidden, err)
	}
}

func TestFilterSearch(t *testing.T) {
	doc := `{"totalHits":3,"data":[` +
		`{"id":"Tool","version":"2.0.0-beta","versions":[{"version":"1.0.0","@id":"a"},{"version":"2.0.0-beta","@id":"b"}]},` +
		`{"id":"Evil","version":"1.0.0","versions":[{"version":"1.0.0"}]},` +
		`{"id":"Other","version":"1.0.0","versions":[{"version":"1.0.0"}]}]}`
	judge := func(name, version string, _ time.Time) gate.Reason {
		switch {
		case name == "evil":
			return gate.Reason{Rule: "deny", Detail: "Evil"}
		case name == "tool" && version == "2.0.0-beta":
			return gate.Reason{Rule: "min_age", Detail: "1h0m0s"}
		}
		return gate.Reason{}
	}
	rt := formats.Route{Kind: formats.Metadata, Key: "acme/query?q=t"}
	if !(Format{}).IsIndex(rt) {
		t.Fatal("search is an index")
	}
	out, hidden, err := Format{}.FilterIndex(rt, []byte(doc), judge, nil)
	if err != nil || len(hidden) != 2 {
		t.Fatalf("hidden %v, err %v", hidden, err)
	}
	want := `{"data":[{"id":"Tool","version":"1.0.0","versions":[{"@id":"a","version":"1.0.0"}]},{"id":"Other","version":"1.0.0","versions":[{"version":"1.0.0"}]}],"totalHits":2}`
	if string(out) != want {
		t.Errorf("search filtered:\n got %s\nwant %s", out, want)
	}
	ac := formats.Route{Kind: formats.Metadata, Key: "acme/autocomplete?id=tool"}
	out, _, _ = Format{}.FilterIndex(ac, []byte(`{"totalHits":2,"data":["1.0.0","2.0.0-beta"]}`), judge, nil)
	if string(out) != `{"data":["1.0.0"],"totalHits":1}` {
		t.Errorf("autocomplete of versions: %s", out)
	}
}

func TestSubjectAndDating(t *testing.T) {
	for _, c := range []struct {
		rt            formats.Route
		name, version string
		ok            bool
	}{
		{versionsRoute("acme", "tool"), "tool", "", true},
		{nupkgRoute("acme", "tool", "1.0.0"), "tool", "1.0.0", true},
		{nuspecRoute("acme", "tool", "1.0.0"), "tool", "1.0.0", true},
		{registration("acme", slugReg, "tool", indexFile), "tool", "", true},
		{registration("acme", slugReg, "tool", "page/1.0.0/2.0.0.json"), "tool", "", true},
		{registration("acme", slugReg, "tool", "1.0.0.json"), "tool", "1.0.0", true},
		{serviceIndex("acme"), "", "", false},
	} {
		name, version, ok := Format{}.Subject(c.rt)
		if name != c.name || version != c.version || ok != c.ok {
			t.Errorf("Subject(%s) = %q %q %v", c.rt.Key, name, version, ok)
		}
	}
	d, ok := Format{}.DatingRoute(nupkgRoute("acme", "tool", "1.0.0"))
	if !ok || d.Key != "acme/registration-semver2/tool/index.json" {
		t.Errorf("a .nupkg is dated by %q", d.Key)
	}
	if _, ok := (Format{}).DatingRoute(registration("acme", slugReg, "tool", indexFile)); ok {
		t.Error("a registration index dates itself")
	}
}
