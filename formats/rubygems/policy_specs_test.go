package rubygems

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"io"
	"testing"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

// rubySpecs is Ruby's own Marshal.dump of [["lib", V1.0.0, plat], ["lib",
// V1.1.0, plat], ["evil", V2.0, "java"], ["lib", V1.0.0, plat]] where V1.0.0 and
// plat are the same objects each time (the last entry links to them).
const rubySpecs = "04085b095b084922086c6962063a064554553a1147656d3a3a56657273696f6e5b0649220a312e302e30063b005449220972756279063b00545b084922086c6962063b0054553b065b0649220a312e312e30063b0054400b5b084922096576696c063b0054553b065b06492208322e30063b00544922096a617661063b00545b084922086c6962063b00544008400b"

func gz(t *testing.T, b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func gunzipAll(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(r)
	return out
}

func specsEntries(t *testing.T, raw []byte) []string {
	t.Helper()
	tree, err := rubyUnmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range tree.(*rbArray).elems {
		name, version, ok := specsEntry(e)
		plat, _ := rubyText(e.(*rbArray).elems[2])
		if !ok {
			t.Fatalf("entry %#v unreadable", e)
		}
		out = append(out, name+"-"+version+"-"+plat)
	}
	return out
}

func TestMarshalRoundTrip(t *testing.T) {
	raw, _ := hex.DecodeString(rubySpecs)
	got := specsEntries(t, raw)
	want := []string{"lib-1.0.0-ruby", "lib-1.1.0-ruby", "evil-2.0-java", "lib-1.0.0-ruby"}
	if len(got) != len(want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("read %v, want %v", got, want)
		}
	}
	tree, _ := rubyUnmarshal(raw)
	again, err := rubyMarshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	if back := specsEntries(t, again); len(back) != 4 || back[3] != want[3] {
		t.Errorf("written and read again: %v", back)
	}
}

func TestFilterSpecs(t *testing.T) {
	raw, _ := hex.DecodeString(rubySpecs)
	judge := func(name, version string, released time.Time) gate.Reason {
		if name == "evil" {
			return gate.Reason{Rule: "deny", Detail: "evil"}
		}
		if version != "" && !released.Equal(formats.JudgedWithoutAge) {
			t.Errorf("the full index asked for %s@%s to be dated", name, version)
		}
		return gate.Reason{}
	}
	packageDoc := func(name string) ([]byte, []formats.Hidden, bool) {
		if name == "lib" {
			return []byte("---\n1.0.0 |\n"), []formats.Hidden{{Version: "1.1.0", Reason: gate.Reason{Rule: "min_age", Detail: "1h0m0s"}}}, true
		}
		return nil, nil, false
	}
	rt := gemRoute(t, "/acme/specs.4.8.gz")
	if !(Format{}).IsIndex(rt) {
		t.Fatal("specs.4.8.gz is an index")
	}
	out, hidden, err := Format{}.FilterIndex(rt, gz(t, raw), judge, packageDoc)
	if err != nil || len(hidden) != 2 {
		t.Fatalf("hidden %v, err %v", hidden, err)
	}
	got := specsEntries(t, gunzipAll(t, out))
	if len(got) != 2 || got[0] != "lib-1.0.0-ruby" || got[1] != "lib-1.0.0-ruby" {
		t.Errorf("filtered specs: %v", got)
	}
	if _, _, err := (Format{}).FilterIndex(rt, gz(t, []byte("\x04\x08[\x07")), judge, packageDoc); err == nil {
		t.Error("a truncated Marshal document must be refused")
	}
}

// FuzzRubyMarshal: any bytes are refused or read into a tree that writes back
// into bytes that read again.
func FuzzRubyMarshal(f *testing.F) {
	raw, _ := hex.DecodeString(rubySpecs)
	f.Add(raw)
	f.Add([]byte("\x04\x08[\x06@\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tree, err := rubyUnmarshal(b)
		if err != nil {
			return
		}
		out, err := rubyMarshal(tree)
		if err != nil {
			return // a cycle through links
		}
		if _, err := rubyUnmarshal(out); err != nil {
			t.Fatalf("written %x does not read back: %v", out, err)
		}
	})
}
