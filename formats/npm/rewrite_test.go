package npm

import (
	"encoding/json"
	"strings"
	"testing"

	"hoard/formats"
)

const base = "http://hoard.test:8080/npm"

func tarballs(t *testing.T, doc []byte) map[string]string {
	t.Helper()
	var d struct {
		Versions map[string]struct {
			Dist struct{ Tarball string } `json:"dist"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("rewritten document is not JSON: %v\n%s", err, doc)
	}
	out := map[string]string{}
	for v, e := range d.Versions {
		out[v] = e.Dist.Tarball
	}
	return out
}

func TestNpmRewrite(t *testing.T) {
	tests := []struct {
		name, tarball, want string
	}{
		{"left-pad", "https://registry.example/left-pad/-/left-pad-1.0.0.tgz", base + "/left-pad/-/left-pad-1.0.0.tgz"},
		{"@acme/tool", "http://127.0.0.1:4873/@acme/tool/-/tool-1.0.0.tgz", base + "/@acme/tool/-/tool-1.0.0.tgz"},
		{"@acme/tool", "http://127.0.0.1:4873/@acme%2ftool/-/tool-1.0.0.tgz", base + "/@acme/tool/-/tool-1.0.0.tgz"},
		{"@acme/tool", "https://mirror.example/prefix/@acme/tool/-/tool-1.0.0.tgz", base + "/@acme/tool/-/tool-1.0.0.tgz"},
		// GitHub Packages' layout keeps its path, under dl/.
		{"@acme/tool", "https://pkgs.example/download/@acme/tool/1.0.0/0123abcd", base + "/@acme/tool/-/dl/download/@acme/tool/1.0.0/0123abcd"},
		// A tarball of another package's name is not taken at its word.
		{"tool", "https://evil.example/@acme/tool/-/tool-1.0.0.tgz", base + "/tool/-/dl/@acme/tool/-/tool-1.0.0.tgz"},
		// Unusable URLs fall back to the registry layout, never to another host.
		{"tool", "https://evil.example/a/../../x", base + "/tool/-/tool-1.0.0.tgz"},
		{"tool", "::not a url", base + "/tool/-/tool-1.0.0.tgz"},
	}
	for _, tt := range tests {
		t.Run(tt.tarball, func(t *testing.T) {
			doc := `{"name":"` + tt.name + `","description":"a <b> & c","versions":{"1.0.0":{"name":"` + tt.name +
				`","version":"1.0.0","big":12345678901234567890,"dist":{"tarball":"` + tt.tarball + `","shasum":"x"}}}}`
			rt := packument(tt.name, true)
			out, err := New().Rewrite(rt, []byte(doc), base)
			if err != nil {
				t.Fatal(err)
			}
			if got := tarballs(t, out)["1.0.0"]; got != tt.want {
				t.Errorf("tarball %q, want %q", got, tt.want)
			}
			// Everything else keeps its value: no HTML escaping, no float rounding.
			for _, keep := range []string{`"a <b> & c"`, `12345678901234567890`, `"shasum":"x"`} {
				if !strings.Contains(string(out), keep) {
					t.Errorf("lost %s in %s", keep, out)
				}
			}
			// The rewritten URL routes back to a tarball of this package.
			rel := strings.TrimPrefix(tt.want, base)
			back, err := route(t, "GET", rel, "")
			if err != nil || back.Kind != formats.Artifact || back.Package != tt.name {
				t.Errorf("rewritten %q routes to %+v, %v", rel, back, err)
			}
		})
	}
}

func TestNpmRewriteSingleVersionAndOddDocs(t *testing.T) {
	f := New()
	rt, _ := route(t, "GET", "/tool/1.0.0", "")
	out, err := f.Rewrite(rt, []byte(`{"name":"tool","version":"1.0.0","dist":{"tarball":"https://x.example/tool/-/tool-1.0.0.tgz"}}`), base)
	if err != nil || !strings.Contains(string(out), base+"/tool/-/tool-1.0.0.tgz") {
		t.Fatalf("single version: %s, %v", out, err)
	}
	for _, doc := range []string{`{"error":"not found"}`, `{"name":"tool","versions":{}}`, `{"name":"tool","versions":null}`,
		`{"name":"tool","versions":{"1.0.0":{"dist":null}}}`} {
		if out, err := f.Rewrite(rt, []byte(doc), base); err != nil || string(out) != doc {
			t.Errorf("%s: changed to %s, %v", doc, out, err)
		}
	}
	for _, doc := range []string{`not json`, `[1]`, `{"versions":[1]}`, `{"versions":{"1.0.0":"x"}}`} {
		if _, err := f.Rewrite(rt, []byte(doc), base); err == nil {
			t.Errorf("%s: accepted", doc)
		}
	}
}

// TestNpmSidecarFindsVersion: a tarball's checksum comes from the version whose
// rewritten dist.tarball is the tarball's own URL, found in the packument's table.
func TestNpmSidecarFindsVersion(t *testing.T) {
	doc := `{"versions":{
	  "1.0.0":{"dist":{"tarball":"` + base + `/@a/same/-/same-1.0.0.tgz","shasum":"da39a3ee5e6b4b0d3255bfef95601890afd80709",
	    "integrity":"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="}},
	  "1.0.1":{"dist":{"tarball":"` + base + `/@a/same/-/same-1.0.1.tgz","shasum":"DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"}}}}`
	for _, tt := range []struct {
		path, algo, hex string
		ok              bool
	}{
		{"/@a/same/-/same-1.0.0.tgz", "sha512", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", true},
		{"/@a/same/-/same-1.0.1.tgz", "sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", true},
		{"/@a/same/-/same-2.0.0.tgz", "", "", false},
		{"/@b/same/-/same-1.0.0.tgz", "", "", false},
	} {
		rt, err := route(t, "GET", tt.path, "")
		if err != nil {
			t.Fatal(err)
		}
		sums, err := New().Sums(rt, []byte(doc), base)
		sum, ok := sums[New().Sidecars(rt)[0].Entry]
		if err != nil || ok != tt.ok || sum.Algo != tt.algo || sum.Hex != tt.hex {
			t.Errorf("%s: got %+v %v %v", tt.path, sum, ok, err)
		}
	}
	// A malformed integrity gives no checksum (the next document is asked), never a wrong one.
	sums, err := New().Sums(formats.Route{}, []byte(`{"versions":{"1":{"dist":{"tarball":"`+base+`/x/-/x-1.tgz","integrity":"sha512-!!"}}}}`), base)
	if err != nil || len(sums) != 0 {
		t.Errorf("malformed integrity: %v, %v", sums, err)
	}
}

// TestNpmRewriteKeepsBytes: only the tarball strings change; whitespace, key order,
// escapes and numbers elsewhere are the upstream's bytes.
func TestNpmRewriteKeepsBytes(t *testing.T) {
	doc := "{\n  \"name\": \"tool\",\n  \"z\": \"\\u00e9\\/\", \"a\": 1.50,\n  \"versions\": {\"1.0.0\": {\"version\":\"1.0.0\",\n" +
		"    \"dist\": {\"shasum\": \"x\", \"tarball\" : \"https://r.example/tool/-/tool-1.0.0.tgz\"}}}}"
	out, err := New().Rewrite(packument("tool", false), []byte(doc), base)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(doc, "https://r.example/tool/-/tool-1.0.0.tgz", base+"/tool/-/tool-1.0.0.tgz", 1)
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	// Rewriting what was rewritten changes nothing.
	again, err := New().Rewrite(packument("tool", false), out, base)
	if err != nil || string(again) != string(out) {
		t.Errorf("second rewrite: %s, %v", again, err)
	}
}
