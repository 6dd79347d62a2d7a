package proxy

import (
	"net/http"
	"strings"
	"testing"

	"hoard/configs"
)

const (
	policyJar     = "/com/example/lib/1.0/lib-1.0.jar"
	policyJarNext = "/com/example/lib/2.0/lib-2.0.jar"
)

// A download the policy refuses is a 403 naming the rule, and never reaches the
// upstream; a version the rule does not cover is served.
func TestPolicyRefusesDeniedDownload(t *testing.T) {
	o := newOrigin(t)
	o.add(policyJar, []byte("jar one"))
	o.add(policyJarNext, []byte("jar two"))
	e := newEnv(t, o, func(c *configs.Config) {
		c.Mounts[0].Policy.Deny = []string{"com.example:lib@[1.0,2.0)"}
	})
	r := get(t, e.url(policyJar))
	if r.status != http.StatusForbidden {
		t.Fatalf("status %d, want 403", r.status)
	}
	if got := r.header.Get(policyHeader); got != "deny com.example:lib@[1.0,2.0)" {
		t.Errorf("%s = %q", policyHeader, got)
	}
	if !strings.Contains(string(r.body), "com.example:lib@1.0 is refused") {
		t.Errorf("body %q does not name what was refused", r.body)
	}
	if o.count(policyJar) != 0 {
		t.Error("a refused download was fetched upstream")
	}
	mustGet(t, e.url(policyJarNext), []byte("jar two"))
	if got := counterValue(t, e.srv.metrics.policy.WithLabelValues("maven", "deny", "refused")); got != 1 {
		t.Errorf("refusals counted %v, want 1", got)
	}
}

// A package-wide deny also refuses its metadata, so a client learns of the rule
// at resolution time.
func TestPolicyRefusesDeniedPackageMetadata(t *testing.T) {
	o := newOrigin(t)
	o.add(metaPath, metaBody)
	e := newEnv(t, o, func(c *configs.Config) { c.Policy.Deny = []string{"com.example:*"} })
	if r := get(t, e.url(metaPath)); r.status != http.StatusForbidden {
		t.Fatalf("status %d, want 403", r.status)
	}
}

// A new policy that does not read is refused whole and the one in force kept.
func TestSetPoliciesKeepsOldOnError(t *testing.T) {
	o := newOrigin(t)
	o.add(policyJar, []byte("jar one"))
	e := newEnv(t, o)
	cfg := testConfig(e.dir, o.srv.URL)
	cfg.Mounts[0].Policy.Deny = []string{"com.example:lib@[1.0,2.0)"}
	if err := e.srv.SetPolicies(cfg); err != nil {
		t.Fatal(err)
	}
	if r := get(t, e.url(policyJar)); r.status != http.StatusForbidden {
		t.Fatalf("status %d after reload, want 403", r.status)
	}
	cfg.Mounts[0].Policy.Deny = []string{"com.example:lib@[2.0,1.0]"}
	err := e.srv.SetPolicies(cfg)
	if err == nil || !strings.Contains(err.Error(), "mounts[0].policy.deny[0]") {
		t.Fatalf("bad policy: got %v, want an error naming mounts[0].policy.deny[0]", err)
	}
	if r := get(t, e.url(policyJar)); r.status != http.StatusForbidden {
		t.Fatalf("status %d after a refused reload, want the old policy's 403", r.status)
	}
}

// A mount's policy max_artifact_size refuses a larger artifact, naming the key,
// and caches nothing; a smaller one is served.
func TestPolicyMaxArtifactSize(t *testing.T) {
	o := newOrigin(t)
	o.add(policyJar, []byte(strings.Repeat("x", 2000)))
	o.add(policyJarNext, []byte("small"))
	e := newEnv(t, o, func(c *configs.Config) { c.Mounts[0].Policy.MaxArtifactSize = 1000 })
	r := get(t, e.url(policyJar))
	if r.status < 400 || !strings.Contains(string(r.body), "max_artifact_size of mount maven") {
		t.Fatalf("status %d body %s", r.status, r.body)
	}
	e.assertNotCached(policyJar)
	mustGet(t, e.url(policyJarNext), []byte("small"))
}

// A maven-metadata.xml is served without the versions a deny covers, latest
// and release recomputed, and its checksum files are those of the filtered
// bytes, not the upstream's.
func TestPolicyFiltersMavenMetadataAndItsChecksums(t *testing.T) {
	body := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<metadata><groupId>com.example</groupId><artifactId>lib</artifactId>
<versioning><latest>2.0</latest><release>2.0</release><versions><version>1.0</version><version>2.0</version></versions></versioning>
</metadata>
`)
	o := newOrigin(t)
	o.publish(metaPath, body)
	e := newEnv(t, o, func(c *configs.Config) { c.Mounts[0].Policy.Deny = []string{"com.example:lib@[2.0,)"} })
	r := get(t, e.url(metaPath))
	if r.status != http.StatusOK || strings.Contains(string(r.body), "2.0") || !strings.Contains(string(r.body), "<release>1.0</release>") {
		t.Fatalf("status %d body %s", r.status, r.body)
	}
	if got := r.header.Get(hiddenHeader); got != "2.0 (deny com.example:lib@[2.0,))" {
		t.Errorf("%s = %q", hiddenHeader, got)
	}
	for algo, path := range map[string]string{"sha1": metaPath + ".sha1", "md5": metaPath + ".md5"} {
		c := get(t, e.url(path))
		if c.status != http.StatusOK || string(c.body) != hexDigest(algo, r.body) {
			t.Errorf("%s: status %d %q, want the %s of the filtered document %q", path, c.status, c.body, algo, hexDigest(algo, r.body))
		}
	}
}
