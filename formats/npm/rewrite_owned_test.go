package npm

import (
	"bytes"
	"maps"
	"testing"
)

// TestRewriteSumsOwnedIsRewriteSums: rewriting a body given up to the rewrite,
// in its own array where the edits allow, gives the bytes and the table
// RewriteSums gives, whether the document grows, shrinks or both (tarball URLs
// longer and shorter than the base makes them), with or without spare room.
func TestRewriteSumsOwnedIsRewriteSums(t *testing.T) {
	rt := packument("tool", false)
	mixed := []byte(`{"name":"tool","versions":{` +
		`"1.0.0":{"version":"1.0.0","dist":{"tarball":"https://r.example/tool/-/tool-1.0.0.tgz","shasum":"` + hex40('a') + `"}},` +
		`"2.0.0":{"version":"2.0.0","dist":{"tarball":"https://a-long-registry-host.example.org/with/a/deep/path/tool/-/tool-2.0.0.tgz","shasum":"` + hex40('b') + `"}},` +
		`"3.0.0":{"version":"3.0.0","dist":{"tarball":"https://r.example/tool/-/tool-3.0.0.tgz","shasum":"` + hex40('c') + `"}}}}`)
	docs := map[string][]byte{"generated": generated(t, 31), "mixed": mixed}
	bases := []string{"http://h/npm", "https://hoard.example.com:8443/npm", "https://a-public-url-longer-than-any-upstream-host.example.com/deep/mount/path/npm"}
	for name, doc := range docs {
		for _, base := range bases {
			want, wantSums, err := New().RewriteSums(rt, doc, base)
			if err != nil {
				t.Fatal(err)
			}
			for _, spare := range []int{0, 16, len(doc)} {
				owned := make([]byte, len(doc), len(doc)+spare)
				copy(owned, doc)
				got, sums, err := New().RewriteSumsOwned(rt, owned, base)
				if err != nil || !bytes.Equal(got, want) || !maps.Equal(sums, wantSums) {
					t.Errorf("%s, base %s, %d spare bytes: %v\n got %.200q\nwant %.200q", name, base, spare, err, got, want)
				}
			}
		}
	}
}

func hex40(c byte) string { return string(bytes.Repeat([]byte{c}, 40)) }
