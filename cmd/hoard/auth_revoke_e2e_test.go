package main_test

import (
	"testing"
	"time"

	"hoard/bench/fakegithub"
)

// authReads are one read of each format, for callers that are refused or admitted
// as a whole: the Maven jar, the npm packument and the OCI blob of the matrix seeds.
func authReads(e *authEnv, c cred) map[string]reply {
	return map[string]reply{
		"maven": e.do("GET", "/maven/acme/repo/com/acme/lib/1.0/lib-1.0.jar", c.basic(), nil),
		"npm":   e.do("GET", "/npm/@acme%2flib", c.bearer(), nil),
		"oci":   e.do("GET", "/v2/ghcr/acme/app/manifests/v1", c.basic(), nil, "Accept", ociAccept),
	}
}

func allStatus(rs map[string]reply, status int) bool {
	for _, r := range rs {
		if r.status != status {
			return false
		}
	}
	return true
}

func seedMatrix(e *authEnv) {
	for _, f := range matrixFormats {
		f.seed(e)
	}
}

// TestAuthRevokedTokenRefusedWithinBound: with auth.verdict_ttl 2s, a token revoked
// at GitHub is refused (401, before anything is forwarded) within 2s and a little
// slack, though every read it made is cached and its verdict was good.
func TestAuthRevokedTokenRefusedWithinBound(t *testing.T) {
	const ttl = 2 * time.Second
	e := newAuthEnv(t)
	seedMatrix(e)
	e.start(hoardConfig{verdictTTL: "2s", accessTTL: "2s"})
	c := e.newToken("revoked", "read:packages")
	if rs := authReads(e, c); !allStatus(rs, 200) {
		t.Fatalf("reads before the revocation: %v", statuses(rs))
	}
	e.gh.Revoke(c.tok)
	var last map[string]reply
	took := eventually(t, ttl+3*time.Second, "revoked token refused by every format", func() bool {
		last = authReads(e, c)
		return allStatus(last, 401)
	})
	t.Logf("revoked token refused by every format %v after the revocation (verdict_ttl %v)", took.Round(time.Millisecond), ttl)
	if took > ttl+time.Second {
		t.Errorf("revoked token still admitted %v after the revocation; the bound is %v", took, ttl)
	}
	for name, r := range last {
		if r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 for a revoked token without a challenge", name)
		}
	}
	before := e.upstreamRequests()
	authReads(e, c)
	if n := e.upstreamRequests() - before; n != 0 {
		t.Errorf("requests with a revoked token reached the upstream: %d", n)
	}
}

// TestAuthValidatorDownRefuses: when GitHub's API answers 503, or cannot be reached at
// all, a token hoard has no verdict for is refused with 503 and nothing is forwarded;
// a token whose verdict expired meanwhile is refused too, not let through, when
// auth.verdict_stale is 0 (stale_access_e2e_test.go shows reads going on within it);
// once the API is back, both work again.
func TestAuthValidatorDownRefuses(t *testing.T) {
	const ttl = 2 * time.Second
	e := newAuthEnv(t)
	seedMatrix(e)
	e.start(hoardConfig{verdictTTL: "2s", accessTTL: "2s", stale: "0s"})
	known := e.newToken("known", "read:packages")
	if rs := authReads(e, known); !allStatus(rs, 200) {
		t.Fatalf("reads with the API up: %v", statuses(rs))
	}
	for _, down := range []struct {
		name       string
		stop, back func()
	}{
		{"API answers 503", func() { e.gh.SetAPIDown(true) }, func() { e.gh.SetAPIDown(false) }},
		{"API unreachable", e.gh.StopAPI, func() {
			if err := e.gh.StartAPI(); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		fresh := e.newToken("fresh-"+down.name, "read:packages")
		down.stop()
		before := e.upstreamRequests()
		if rs := authReads(e, fresh); !allStatus(rs, 503) {
			t.Errorf("%s: a token without a verdict: %v, want 503 everywhere", down.name, statuses(rs))
		}
		if n := e.upstreamRequests() - before; n != 0 {
			t.Errorf("%s: %d requests of an unchecked token reached the upstream:\n%s", down.name, n, e.lastUpstream(int(n)))
		}
		// The known token's verdict is good until it expires; then it is refused too.
		took := eventually(t, ttl+3*time.Second, down.name+": a token whose verdict expired refused", func() bool {
			return allStatus(authReads(e, known), 503)
		})
		t.Logf("%s: fresh token refused with 503 at once; known token refused %v later (verdict_ttl %v)", down.name, took.Round(time.Millisecond), ttl)
		if took > ttl+time.Second {
			t.Errorf("%s: a token whose verdict expired was admitted for %v", down.name, took)
		}
		before = e.upstreamRequests()
		authReads(e, known)
		authReads(e, fresh)
		if n := e.upstreamRequests() - before; n != 0 {
			t.Errorf("%s: %d requests reached the upstream while no token could be checked:\n%s", down.name, n, e.lastUpstream(int(n)))
		}
		down.back()
		for _, c := range []cred{fresh, known} {
			if rs := authReads(e, c); !allStatus(rs, 200) {
				t.Errorf("%s, API back: %s: %v, want 200", down.name, c.role, statuses(rs))
			}
		}
	}
	if n := e.gh.Requests(fakegithub.API); n == 0 {
		t.Error("the API was never asked")
	}
}

func statuses(rs map[string]reply) map[string]int {
	out := map[string]int{}
	for k, r := range rs {
		out[k] = r.status
	}
	return out
}
