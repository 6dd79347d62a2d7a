package main_test

import (
	"bytes"
	"fmt"
	"testing"

	"hoard/bench/fakegithub"
)

// TestAuthPrivateGroupServesEachCallerItsOwn: a Maven mount that groups two owners'
// registries, each holding a private artifact at the same coordinates. Alice may read
// only the second owner's, Bob only the first's. Whoever reads first, each must get
// the artifact their own credentials get upstream, never the other's from the cache.
func TestAuthPrivateGroupServesEachCallerItsOwn(t *testing.T) {
	e := newAuthEnv(t)
	const path = "com/x/lib/1.0/lib-1.0.jar"
	jarA, jarB := testJar("from/org-a.txt"), testJar("from/org-b.txt")
	e.gh.SeedMaven("orga", path, jarA)
	e.gh.SeedMaven("orgb", path, jarB)
	e.gh.AddMembers("orga", ghBob)
	e.gh.AddMembers("orgb", ghAlice)
	maven := e.gh.URL(fakegithub.Maven)
	e.start(hoardConfig{mounts: fmt.Sprintf("  - {name: group, format: maven, upstreams: [{url: %q}, {url: %q}]}\n", maven+"/orga/repo", maven+"/orgb/repo")})
	alice, bob := e.creds["read"], e.creds["bob"]
	want := map[string][]byte{alice.role: jarB, bob.role: jarA}
	for round := 0; round < 2; round++ {
		for _, c := range []cred{alice, bob, alice} {
			r := e.do("GET", "/group/"+path, c.basic(), nil)
			if r.status != 200 || !bytes.Equal(r.body, want[c.role]) {
				other := "neither"
				if bytes.Equal(r.body, jarA) {
					other = "org A's"
				} else if bytes.Equal(r.body, jarB) {
					other = "org B's"
				}
				t.Errorf("round %d: %s (%s) got %d with %s jar (X-Hoard-Cache %q)", round, c.role, c.login, r.status, other, r.header.Get("X-Hoard-Cache"))
			}
		}
	}
}
