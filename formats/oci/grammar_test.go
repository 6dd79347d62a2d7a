package oci

import (
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
