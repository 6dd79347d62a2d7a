package configs

import (
	"strings"
	"testing"
	"time"
)

const policyMount = `
mounts:
  - name: m
    format: maven
    upstream: "http://127.0.0.1:1"
`

func TestPolicyKeysRead(t *testing.T) {
	c, err := Load(writeFile(t, `
policy:
  deny: ["evil", "@acme/old@<2"]
  min_age: 3d
  min_age_exempt: ["@acme/*"]
  freeze: 2026-11-30
`+policyMount+`    policy:
      allow: ["com.acme:*@[1.0,2.0)"]
      min_age: 36h
      max_artifact_size: 100MiB
      freeze: 2026-12-01T12:00:00Z
      undated: allow
      pins: ["com/acme/*"]
`))
	if err == nil {
		err = c.Validate(onlyMaven)
	}
	if err != nil {
		t.Fatal(err)
	}
	g, m := c.Policy, c.Mounts[0].Policy
	if len(g.Deny) != 2 || g.MinAge.D() != 72*time.Hour || g.MinAgeExempt[0] != "@acme/*" || !g.Freeze.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("global policy %+v", g)
	}
	if m.Undated != "allow" || m.Pins[0] != "com/acme/*" {
		t.Errorf("mount policy undated %q pins %v", m.Undated, m.Pins)
	}
	if m.Allow[0] != "com.acme:*@[1.0,2.0)" || m.MinAge.D() != 36*time.Hour || m.MaxArtifactSize != 100<<20 || m.Freeze.Hour() != 12 {
		t.Errorf("mount policy %+v", m)
	}
}

func TestPolicyErrorsNameTheKeyPath(t *testing.T) {
	cases := map[string]string{
		"policy:\n  min_age: soon\n" + policyMount:              "policy.min_age (line 2)",
		"policy:\n  freeze: tomorrow\n" + policyMount:           "policy.freeze (line 2)",
		"policy:\n  deni: [x]\n" + policyMount:                  `policy.deni (line 2): unknown key; did you mean "deny"?`,
		"policy:\n  deny: [\"[x\"]\n" + policyMount:             "policy.deny[0]: bad pattern",
		"policy:\n  allow: [\"\"]\n" + policyMount:              "policy.allow[0]: empty pattern",
		policyMount + "    policy: {max_artifact_size: big}\n":  "mounts[0].policy.max_artifact_size",
		policyMount + "    policy: {min_age_exempt: [\"[\"]}\n": "mounts[0].policy.min_age_exempt[0]",
		policyMount + "    policy: {deny: x}\n":                 "mounts[0].policy.deny (line 6): want a list",
		policyMount + "    policy: {undated: maybe}\n":          `mounts[0].policy.undated: "maybe" is neither refuse nor allow`,
		policyMount + "    policy: {pins: [\"[\"]}\n":           "mounts[0].policy.pins[0]: bad pattern",
	}
	for body, want := range cases {
		c, err := Load(writeFile(t, body))
		if err == nil {
			err = c.Validate(onlyMaven)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error naming %q", body, err, want)
		}
	}
}

func TestAgeAndDateRoundTrip(t *testing.T) {
	for _, s := range []string{"7d", "1h30m0s"} {
		d, err := parseAge(s)
		if err != nil {
			t.Fatal(err)
		}
		if out, _ := Age(d).MarshalYAML(); out != s {
			t.Errorf("%s came back as %v", s, out)
		}
	}
	if _, err := parseAge("-1d"); err == nil {
		t.Error("a negative age was accepted")
	}
}

// What `hoard config print` writes of an empty policy loads back.
func TestEmptyPolicyPrintsAndLoadsBack(t *testing.T) {
	out, err := Date{}.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	if d, err := parseDate(out.(string)); err != nil || !d.IsZero() {
		t.Errorf("%q read back as %v, %v", out, d, err)
	}
}
