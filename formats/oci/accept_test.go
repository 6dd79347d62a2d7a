package oci

import (
	"net/http"
	"strings"
	"testing"
)

// The memoized decision is the one parsing gives, for every Accept a client may
// send, on first sight and from the memo, and values never share an answer.
func TestManifestAcceptMemo(t *testing.T) {
	all := strings.Join(standardManifestTypes, ", ")
	cases := []struct {
		accept    []string
		cacheable bool
		upstream  string // "" means the shared standard header
	}{
		{nil, true, ""},
		{[]string{all}, true, ""},
		{[]string{"*/*"}, true, ""},
		{[]string{MediaOCIManifest}, true, MediaOCIManifest},
		{[]string{MediaOCIManifest + ";q=0.9, " + MediaDockerManifest}, true, MediaDockerManifest + ", " + MediaOCIManifest},
		{[]string{all + ", application/vnd.example+json"}, true, all + ", application/vnd.example+json"},
		{[]string{MediaOCIIndex, MediaOCIManifest, MediaDockerList, MediaDockerManifest}, true, ""},
		{[]string{"APPLICATION/VND.OCI.IMAGE.MANIFEST.V1+JSON"}, true, MediaOCIManifest},
		{[]string{strings.Repeat(MediaOCIManifest+"x, ", 100)}, true, MediaOCIManifest + "x"}, // one type, once
		{[]string{longAccept()}, false, ""},
		{[]string{"text/html\r\nX: y"}, true, ""},
		{[]string{strings.Repeat("a", acceptMemoMax+1)}, true, ""},
	}
	for round := 0; round < 2; round++ {
		for _, c := range cases {
			h := http.Header{}
			if c.accept != nil {
				h["Accept"] = c.accept
			}
			got := New().accepts.of(h)
			want := c.upstream
			if want == "" {
				want = standardAcceptHeader.Get("Accept")
			}
			if got.cacheable != c.cacheable || got.upstream.Get("Accept") != want {
				t.Errorf("round %d, Accept %q: cacheable %v, upstream %q; want %v, %q",
					round, c.accept, got.cacheable, got.upstream.Get("Accept"), c.cacheable, want)
			}
			if direct := readManifestAccept(h); direct.cacheable != got.cacheable || direct.upstream.Get("Accept") != got.upstream.Get("Accept") {
				t.Errorf("Accept %q: memo %+v, parsed %+v", c.accept, got, direct)
			}
		}
	}
}

// longAccept names more types than a variant key holds.
func longAccept() string {
	var types []string
	for i := range 60 {
		types = append(types, "application/vnd.example.type"+strings.Repeat("x", i)+"+json")
	}
	return strings.Join(types, ", ")
}

// A manifest request's Accept decision, as a hit makes it.
func BenchmarkManifestAccept(b *testing.B) {
	h := http.Header{"Accept": {strings.Join(standardManifestTypes, ", ")}}
	b.ReportAllocs()
	for b.Loop() {
		if !New().accepts.of(h).cacheable {
			b.Fatal("not cacheable")
		}
	}
}
