package npm

import (
	"bytes"
	"encoding/json"
	"maps"
	"strings"
	"testing"
)

// FuzzNpmRewrite: whatever the upstream sends, Rewrite either refuses it or returns
// valid JSON whose every tarball points at the mount and whose other values are
// the input's; Sums of the output never panics and names only tarballs it serves.
func FuzzNpmRewrite(f *testing.F) {
	for _, seed := range []string{
		`{"name":"tool","versions":{"1.0.0":{"version":"1.0.0","dist":{"tarball":"https://r.example/tool/-/tool-1.0.0.tgz","shasum":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}}}}`,
		`{"name":"tool","version":"1.0.0","dist":{"tarball":"https://x.example/tool/-/tool-1.0.0.tgz"}}`,
		`{"versions":{"1":{"dist":{"tarball":"::bad","tarball":"https://a/tool/-/tool-1.tgz"},"version":"1"}}}`,
		`{"a\u0022b":{"versions":1},"versions":{"2.0.0":{"dist":null}},"dist-tags":{"latest":"2.0.0"}}`,
		`{"versions":null}`, `[1]`, `{"versions":{"1.0.0":"x"}}`, `{"z":"\\\"","versions":{}}`,
	} {
		f.Add([]byte(seed))
	}
	const base = "http://hoard.test/npm"
	rt := packument("tool", false)
	f.Fuzz(func(t *testing.T, doc []byte) {
		out, err := New().Rewrite(rt, doc, base)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("rewrite of %q is not JSON: %q", doc, out)
		}
		pieces, _, err := New().RewritePieces(rt, doc, base)
		if err != nil || !bytes.Equal(bytes.Join(pieces, nil), out) {
			t.Fatalf("pieces of %q joined differ from its rewrite (%v)", doc, err)
		}
		var in, got any
		if json.Unmarshal(doc, &in) != nil || json.Unmarshal(out, &got) != nil {
			t.Fatalf("documents do not decode")
		}
		sameExceptTarballs(t, in, got, base, "")
		sums, err := New().Sums(rt, out, base)
		if err != nil {
			t.Fatalf("Sums of a rewritten document: %v", err)
		}
		for name := range sums {
			if !strings.HasPrefix(name, "/tool/-/") {
				t.Fatalf("table names %q", name)
			}
		}
		out2, sums2, err := New().RewriteSums(rt, doc, base)
		if err != nil || !bytes.Equal(out2, out) || !maps.Equal(sums2, sums) {
			t.Fatalf("RewriteSums differs from Rewrite then Sums: %v, table %v against %v", err, sums2, sums)
		}
	})
}

// Where a value sits, for sameExceptTarballs: only a dist object's tarball of the
// document or of one of its versions is rewritten.
const (
	atTop = iota
	atVersions
	atVersion
	atDist
	atOther
)

// sameExceptTarballs compares decoded documents: every value equal but the
// tarball strings of dist objects, which must point at base.
func sameExceptTarballs(t *testing.T, in, out any, base, path string) {
	compareAt(t, in, out, base, path, atTop)
}

func compareAt(t *testing.T, in, out any, base, path string, at int) {
	switch iv := in.(type) {
	case map[string]any:
		ov, ok := out.(map[string]any)
		if !ok || len(ov) != len(iv) {
			t.Fatalf("%s: object changed shape", path)
		}
		for k, v := range iv {
			if s, ok := v.(string); ok && k == "tarball" && at == atDist {
				if o, _ := ov[k].(string); !strings.HasPrefix(o, base+"/") {
					t.Fatalf("%s/tarball %q rewritten to %q", path, s, o)
				}
				continue
			}
			compareAt(t, v, ov[k], base, path+"/"+k, childOf(at, k))
		}
	case []any:
		ov, ok := out.([]any)
		if !ok || len(ov) != len(iv) {
			t.Fatalf("%s: array changed", path)
		}
		for i := range iv {
			compareAt(t, iv[i], ov[i], base, path, atOther)
		}
	default:
		if in != out {
			t.Fatalf("%s: %v became %v", path, in, out)
		}
	}
}

func childOf(at int, key string) int {
	switch {
	case at == atTop && key == "versions":
		return atVersions
	case at == atVersions:
		return atVersion
	case (at == atTop || at == atVersion) && key == "dist":
		return atDist
	}
	return atOther
}
