package formats

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// cleanPathAgrees checks CleanPath against its definition: Segments joined
// with "/" behind a leading one, and refused exactly when Segments refuses.
func cleanPathAgrees(t *testing.T, escaped string) {
	t.Helper()
	got, err := CleanPath(escaped, IsPlainByte)
	segs, serr := Segments(escaped, IsPlainByte)
	if (err == nil) != (serr == nil) {
		t.Fatalf("CleanPath(%q) error %v, Segments error %v", escaped, err, serr)
	}
	if serr == nil && got != "/"+strings.Join(segs, "/") {
		t.Fatalf("CleanPath(%q) = %q, Segments gave %q", escaped, got, segs)
	}
}

func TestCleanPathMatchesSegments(t *testing.T) {
	for _, p := range []string{
		"/a", "/a/b.jar", "/com/acme/1.0/x-1.0.pom", "/", "", "a/b", "//a", "/a//b", "/a/",
		"/.", "/..", "/a/./b", "/a/../b", "/a/.../b", "/%2e%2e", "/a%2fb", "/a%41", "/a;b",
		"/a\\b", "/a\x00", "/a b", "/a\x7f", "/a@b", "/%", "/a%zz", "/%2541",
	} {
		cleanPathAgrees(t, p)
	}
	const alphabet = "/.%2eEfF41a-_~+;\\@ \x00"
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200_000; i++ {
		b := make([]byte, 1+rng.IntN(12))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		if rng.IntN(2) == 0 {
			b[0] = '/'
		}
		cleanPathAgrees(t, string(b))
	}
}

func TestCleanPathKeepsPlainPaths(t *testing.T) {
	const p = "/com/acme/small/maven-metadata.xml"
	got, err := CleanPath(p, IsPlainByte)
	if err != nil || got != p {
		t.Fatalf("CleanPath(%q) = %q, %v", p, got, err)
	}
	if n := testing.AllocsPerRun(100, func() { CleanPath(p, IsPlainByte) }); n != 0 {
		t.Errorf("a plain path cost %v allocations", n)
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, p := range []string{"/a/b", "/%2e%2e/x", "/a//b", "/a;b"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) { cleanPathAgrees(t, p) })
}
