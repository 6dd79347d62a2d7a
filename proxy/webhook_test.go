package proxy

import (
	"testing"
)

// TestWebhookSignatureVector is GitHub's documented example: secret "It's a Secret
// to Everybody", body "Hello, World!".
func TestWebhookSignatureVector(t *testing.T) {
	secret, body := []byte("It's a Secret to Everybody"), []byte("Hello, World!")
	good := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if !validSignature(secret, body, good) {
		t.Fatal("GitHub's test vector does not verify")
	}
	for _, bad := range []string{"", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
		"sha256=857107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "sha256=zz", "sha1=757107ea"} {
		if validSignature(secret, body, bad) {
			t.Errorf("signature %q verified", bad)
		}
	}
	if validSignature([]byte("another secret"), body, good) || validSignature(secret, []byte("Hello, World?"), good) {
		t.Error("a signature verified under another secret or body")
	}
}

func TestParsePackageEvents(t *testing.T) {
	cases := []struct {
		event, body, eco, owner, name, version, tag string
	}{
		{"registry_package", `{"action":"published","registry_package":{"name":"app","namespace":"acme","package_type":"CONTAINER","owner":{"login":"acme"},
			"package_version":{"version":"sha256:abc","container_metadata":{"tag":{"name":"v2","digest":"sha256:abc"}}}}}`, "CONTAINER", "acme", "app", "sha256:abc", "v2"},
		{"package", `{"action":"updated","package":{"name":"lib","ecosystem":"npm","package_type":"npm","owner":{"login":"acme"},"package_version":{"version":"1.0.1"}}}`,
			"npm", "acme", "lib", "1.0.1", ""},
		{"registry_package", `{"action":"published","registry_package":{"name":"com.acme.lib","namespace":"acme","ecosystem":"maven","owner":{},"package_version":{"version":"1.1-SNAPSHOT"}}}`,
			"maven", "acme", "com.acme.lib", "1.1-SNAPSHOT", ""},
	}
	for _, c := range cases {
		p, err := parsePackageEvent(c.event, []byte(c.body))
		if err != nil || p.ecosystem != c.eco || p.change.Owner != c.owner || p.change.Name != c.name || p.change.Version != c.version || p.change.Tag != c.tag {
			t.Errorf("%s: %+v %v", c.name, p, err)
		}
	}
	for _, bad := range []string{`{`, `{"action":"published"}`, `{"action":"published","package":{"name":"x"}}`, `[]`} {
		if _, err := parsePackageEvent("package", []byte(bad)); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}
