package oci

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestOCINameGrammar(t *testing.T) {
	good := []string{"a", "library/alpine", "owner/image", "a.b/c_d/e__f/g-h/i--j", "0/1/2", strings.Repeat("a", 255)}
	bad := []string{"", "A", "a/", "/a", "a//b", "a..b", "a___b", "-a", "a-", ".a", "a/_b", "a b", "a:b",
		"a/..", "a/./b", "a%2fb", strings.Repeat("a", 256), "a\\b", "ä"}
	for _, s := range good {
		if !ValidName(s) {
			t.Errorf("ValidName(%q) = false", s)
		}
	}
	for _, s := range bad {
		if ValidName(s) {
			t.Errorf("ValidName(%q) = true", s)
		}
	}
}

func TestOCITagGrammar(t *testing.T) {
	good := []string{"latest", "v1.2.3", "_x", "A-b_c.d", strings.Repeat("t", 128)}
	bad := []string{"", ".x", "-x", "a:b", "a/b", strings.Repeat("t", 129), "a b", "a+b"}
	for _, s := range good {
		if !ValidTag(s) {
			t.Errorf("ValidTag(%q) = false", s)
		}
	}
	for _, s := range bad {
		if ValidTag(s) {
			t.Errorf("ValidTag(%q) = true", s)
		}
	}
}

func TestOCIDigestGrammar(t *testing.T) {
	hex64, hex128 := strings.Repeat("ab", 32), strings.Repeat("0f", 64)
	good := []string{"sha256:" + hex64, "sha512:" + hex128}
	bad := []string{"sha256:" + hex64[:63], "sha256:" + strings.ToUpper(hex64), "sha256:" + hex64 + "0",
		"sha512:" + hex64, "md5:" + hex64[:32], "sha256", ":" + hex64, "sha256:" + hex64[:62] + "zz",
		"sha256:../" + hex64[:61], "SHA256:" + hex64, "sha256+b64u:" + hex64}
	for _, s := range good {
		if d, ok := ParseDigest(s); !ok || d.String() != s {
			t.Errorf("ParseDigest(%q) = %v %v", s, d, ok)
		}
	}
	for _, s := range bad {
		if _, ok := ParseDigest(s); ok {
			t.Errorf("ParseDigest(%q) accepted", s)
		}
	}
}

// The spec's regular expressions, the reference the hand-written matchers must
// agree with.
var (
	specNameComponent = `[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*`
	specNameRE        = regexp.MustCompile(`^` + specNameComponent + `(?:/` + specNameComponent + `)*$`)
	specTagRE         = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)
)

// Random strings over the grammar's alphabet (and a few bytes outside it): the
// matchers accept exactly what the spec's expressions accept.
func TestGrammarMatchesTheSpecExpressions(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ab09._-/_A:"
	for i := 0; i < 200_000; i++ {
		b := make([]byte, rng.IntN(12))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		if got, want := ValidName(s), specNameRE.MatchString(s); got != want {
			t.Fatalf("ValidName(%q) = %v, the spec's expression says %v", s, got, want)
		}
		if got, want := ValidTag(s), specTagRE.MatchString(s); got != want {
			t.Fatalf("ValidTag(%q) = %v, the spec's expression says %v", s, got, want)
		}
	}
}

func FuzzGrammar(f *testing.F) {
	for _, s := range []string{"a/b", "a__b", "a---b", "x.y_z", "Tag_1.0-rc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidName(s), len(s) <= maxNameLen && specNameRE.MatchString(s); got != want {
			t.Fatalf("ValidName(%q) = %v, want %v", s, got, want)
		}
		if got, want := ValidTag(s), specTagRE.MatchString(s); got != want {
			t.Fatalf("ValidTag(%q) = %v, want %v", s, got, want)
		}
	})
}
