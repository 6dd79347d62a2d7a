package main_test

import (
	"bytes"
	"testing"

	"hoard/bench/fakegithub"
	"hoard/bench/npmreg"
)

// privateRead is one request for private content, and bytes that must never reach a
// caller who may not read it.
type privateRead struct {
	name, url, auth string // auth: "basic" or "bearer"
	accept          string
	secret          []byte
}

// TestAuthPrivateContentNotServedToOthers: token A (alice, a member of acme) reads
// private packages of every format through hoard, which caches them; token B (bob,
// read:packages but no access to acme's private packages) then asks for the very same
// cached content and gets a 404 that reveals nothing, for metadata, artifacts and
// blobs alike, with GET and HEAD. A public package that A cached is B's to read, and
// A is still served from the cache.
func TestAuthPrivateContentNotServedToOthers(t *testing.T) {
	e := newAuthEnv(t)
	jar := testJar("com/acme/secret/Secret.class")
	meta := mavenMetadata("com.acme", "secret", "1.0")
	e.gh.SeedMaven(ghOwner, "com/acme/secret/1.0/secret-1.0.jar", jar)
	e.gh.SeedMaven(ghOwner, "com/acme/secret/maven-metadata.xml", meta)
	e.gh.SeedMaven(ghOwner, "com/acme/open/1.0/open-1.0.jar", testJar("open.txt"))
	e.gh.SetPublic(fakegithub.Maven, fakegithub.MavenPackage(ghOwner, "com/acme/open/1.0/open-1.0.jar"), true)
	tgz := npmTgz("@acme/secret", "1.0.0")
	e.gh.SeedNpm("@acme/secret", "1.0.0", tgz, npmreg.Package{Name: "@acme/secret", Version: "1.0.0"}.Manifest())
	img := e.gh.SeedImage("acme/secret", "v1", map[string]string{"secret.txt": "the secret"})
	e.start(hoardConfig{})

	reads := []privateRead{
		{"maven-metadata.xml", "/maven/acme/repo/com/acme/secret/maven-metadata.xml", "basic", "", meta},
		{"jar", "/maven/acme/repo/com/acme/secret/1.0/secret-1.0.jar", "basic", "", jar},
		{"jar.sha1", "/maven/acme/repo/com/acme/secret/1.0/secret-1.0.jar.sha1", "basic", "", []byte(sha1Hex(jar))},
		{"npm packument", "/npm/@acme%2fsecret", "bearer", "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*", []byte("@acme/secret")},
		{"npm tarball", "/npm/@acme/secret/-/dl" + e.gh.NpmTarballPath("@acme/secret", "1.0.0"), "bearer", "", tgz},
		{"OCI manifest by tag", "/v2/ghcr/acme/secret/manifests/v1", "basic", ociAccept, img.ManifestBody},
		{"OCI manifest by digest", "/v2/ghcr/acme/secret/manifests/" + img.Manifest, "basic", ociAccept, img.ManifestBody},
		{"OCI blob", "/v2/ghcr/acme/secret/blobs/" + img.Layers[0], "basic", "", img.LayerBodies[0]},
	}
	alice, bob := e.creds["read"], e.creds["bob"]
	for _, rd := range reads {
		r := e.do("GET", rd.url, authFor(alice, rd.auth), nil, "Accept", rd.accept)
		if r.status != 200 || !bytes.Contains(r.body, rd.secret) {
			t.Fatalf("A: GET %s: %d %.200s", rd.name, r.status, r.body)
		}
	}
	for _, rd := range reads {
		for _, method := range []string{"GET", "HEAD"} {
			r := e.do(method, rd.url, authFor(bob, rd.auth), nil, "Accept", rd.accept)
			if r.status != 404 {
				t.Errorf("B: %s %s cached by A: %d, want 404", method, rd.name, r.status)
			}
			if len(rd.secret) > 0 && bytes.Contains(r.body, rd.secret) {
				t.Errorf("B: %s %s: the answer carries A's private content", method, rd.name)
			}
			for _, h := range []string{"ETag", "Docker-Content-Digest", "Last-Modified"} {
				if v := r.header.Get(h); v != "" {
					t.Errorf("B: %s %s: 404 with %s %q tells of the cached content", method, rd.name, h, v)
				}
			}
			// Every 404 says miss, so this one cannot be told from a missing package's.
			if v := r.header.Get("X-Hoard-Cache"); v != "miss" {
				t.Errorf("B: %s %s: 404 with X-Hoard-Cache %q, want miss like every 404", method, rd.name, v)
			}
		}
	}
	// Without a token: challenged, as before anything is looked up.
	for _, rd := range reads {
		if r := e.do("GET", rd.url, "", nil, "Accept", rd.accept); r.status != 401 {
			t.Errorf("anonymous GET %s: %d, want 401", rd.name, r.status)
		}
	}
	// A public package A cached is B's to read; A still reads its own from the cache.
	open := "/maven/acme/repo/com/acme/open/1.0/open-1.0.jar"
	if r := e.do("GET", open, alice.basic(), nil); r.status != 200 {
		t.Fatalf("A: GET public jar: %d", r.status)
	}
	if r := e.do("GET", open, bob.basic(), nil); r.status != 200 || r.header.Get("X-Hoard-Cache") != "hit" {
		t.Errorf("B: GET public jar A cached: %d (X-Hoard-Cache %q), want a 200 hit", r.status, r.header.Get("X-Hoard-Cache"))
	}
	before := e.gh.Requests(fakegithub.Maven)
	if r := e.do("GET", reads[1].url, alice.basic(), nil); r.status != 200 || r.header.Get("X-Hoard-Cache") != "hit" {
		t.Errorf("A: GET jar again: %d (X-Hoard-Cache %q), want a 200 hit", r.status, r.header.Get("X-Hoard-Cache"))
	}
	if n := e.gh.Requests(fakegithub.Maven) - before; n != 0 {
		t.Errorf("A's second read of its own private jar asked the upstream %d times", n)
	}
	if n := e.gh.StorageAuthorized(); n != 0 {
		t.Errorf("%d requests to blob storage (another host) carried credentials", n)
	}
}

func authFor(c cred, kind string) string {
	if kind == "bearer" {
		return c.bearer()
	}
	return c.basic()
}
