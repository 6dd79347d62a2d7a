package main_test

// What each format's read, publish and delete are in the scope matrix, in Go HTTP:
// the requests its clients send, in the order they send them. Every step is sent
// whatever the earlier ones answered, so a refused caller is refused at each route
// (an upload session id it never got is made up).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hoard/bench/fakegithub"
	"hoard/bench/npmreg"
	"hoard/formats/oci"
)

// step is one request of an action and the status it gets when allowed.
type step struct {
	name string
	want int
	got  reply
}

// matrixFormat is one mounted format in the matrix.
type matrixFormat struct {
	name   string
	seed   func(e *authEnv)
	read   func(e *authEnv, c cred) []step
	pub    func(e *authEnv, c cred, n int) []step
	del    func(e *authEnv, c cred) []step
	pubbed func(e *authEnv, n int) bool // the publish reached the upstream
	gone   func(e *authEnv) bool        // the delete reached the upstream
	// refusal checks the protocol's own shape of a 401 or 403.
	refusal func(t *testing.T, r reply)
}

var matrixFormats = []matrixFormat{mavenMatrix(), npmMatrix(), ociMatrix(), rubygemsMatrix(), nugetMatrix()}

// Maven: /maven/OWNER/REPO/<layout>, Basic credentials.
var (
	mavenJar = testJar("com/acme/lib/Lib.class")
	mavenPom = []byte("<project><modelVersion>4.0.0</modelVersion><groupId>com.acme</groupId><artifactId>lib</artifactId><version>1.0</version></project>")
)

func mavenMatrix() matrixFormat {
	const base = "/maven/acme/repo/com/acme/lib/"
	return matrixFormat{
		name: "maven",
		seed: func(e *authEnv) {
			e.gh.SeedMaven(ghOwner, "com/acme/lib/1.0/lib-1.0.jar", mavenJar)
			e.gh.SeedMaven(ghOwner, "com/acme/lib/1.0/lib-1.0.pom", mavenPom)
			e.gh.SeedMaven(ghOwner, "com/acme/lib/maven-metadata.xml", mavenMetadata("com.acme", "lib", "0.9", "1.0"))
			e.gh.SeedMaven(ghOwner, "com/acme/lib/0.9/lib-0.9.jar", mavenJar)
		},
		read: func(e *authEnv, c cred) []step {
			return []step{
				{"GET maven-metadata.xml", 200, e.do("GET", base+"maven-metadata.xml", c.basic(), nil)},
				{"GET jar", 200, e.do("GET", base+"1.0/lib-1.0.jar", c.basic(), nil)},
			}
		},
		pub: func(e *authEnv, c cred, n int) []step {
			return []step{{"PUT jar", 201, e.do("PUT", fmt.Sprintf("%s2.%d/lib-2.%d.jar", base, n, n), c.basic(), mavenJar)}}
		},
		del: func(e *authEnv, c cred) []step {
			return []step{{"DELETE jar", 204, e.do("DELETE", base+"0.9/lib-0.9.jar", c.basic(), nil)}}
		},
		pubbed: func(e *authEnv, n int) bool {
			_, ok := e.gh.MavenFile(ghOwner, fmt.Sprintf("com/acme/lib/2.%d/lib-2.%d.jar", n, n))
			return ok
		},
		gone: func(e *authEnv) bool { _, ok := e.gh.MavenFile(ghOwner, "com/acme/lib/0.9/lib-0.9.jar"); return !ok },
		refusal: func(t *testing.T, r reply) {
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
				t.Errorf("Maven refusal with Content-Type %q, want text/plain", r.header.Get("Content-Type"))
			}
		},
	}
}

func mavenMetadata(group, artifact string, versions ...string) []byte {
	v := ""
	for _, x := range versions {
		v += "<version>" + x + "</version>"
	}
	return []byte(fmt.Sprintf("<metadata><groupId>%s</groupId><artifactId>%s</artifactId><versioning><latest>%s</latest><release>%s</release><versions>%s</versions></versioning></metadata>",
		group, artifact, versions[len(versions)-1], versions[len(versions)-1], v))
}

// npm: /npm/@SCOPE%2fNAME, Bearer tokens; tarballs at GitHub's /download/ layout.
func npmMatrix() matrixFormat {
	tgz := npmTgz("@acme/lib", "1.0.0")
	return matrixFormat{
		name: "npm",
		seed: func(e *authEnv) {
			e.gh.SeedNpm("@acme/lib", "1.0.0", tgz, npmreg.Package{Name: "@acme/lib", Version: "1.0.0"}.Manifest())
			for _, v := range []string{"1.0.0", "1.0.1"} {
				e.gh.SeedNpm("@acme/old", v, npmTgz("@acme/old", v), npmreg.Package{Name: "@acme/old", Version: v}.Manifest())
			}
		},
		read: func(e *authEnv, c cred) []step {
			tarball := "/npm/@acme/lib/-/dl" + e.gh.NpmTarballPath("@acme/lib", "1.0.0")
			return []step{
				{"GET packument", 200, e.do("GET", "/npm/@acme%2flib", c.bearer(), nil, "Accept", "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*")},
				{"GET tarball", 200, e.do("GET", tarball, c.bearer(), nil)},
			}
		},
		pub: func(e *authEnv, c cred, n int) []step {
			p := npmreg.Package{Name: "@acme/lib", Version: fmt.Sprintf("2.0.%d", n)}
			body, _ := p.PublishBody(e.h.URL+"/npm/", npmTgz(p.Name, p.Version))
			return []step{{"PUT publish", 200, e.do("PUT", "/npm/@acme%2flib", c.bearer(), body, "Content-Type", "application/json")}}
		},
		del: func(e *authEnv, c cred) []step {
			rev := e.gh.NpmRev("@acme/old")
			doc, _ := json.Marshal(map[string]any{"_id": "@acme/old", "name": "@acme/old", "_rev": rev,
				"dist-tags": map[string]string{"latest": "1.0.0"},
				"versions":  map[string]any{"1.0.0": map[string]string{"name": "@acme/old", "version": "1.0.0"}}})
			return []step{
				{"PUT -rev (unpublish 1.0.1)", 200, e.do("PUT", "/npm/@acme%2fold/-rev/"+rev, c.bearer(), doc, "Content-Type", "application/json")},
				{"DELETE -rev (unpublish all)", 200, e.do("DELETE", "/npm/@acme%2fold/-rev/"+rev, c.bearer(), nil)},
			}
		},
		pubbed: func(e *authEnv, n int) bool { return contains(e.gh.NpmVersions("@acme/lib"), fmt.Sprintf("2.0.%d", n)) },
		gone:   func(e *authEnv) bool { return len(e.gh.NpmVersions("@acme/old")) == 0 },
		refusal: func(t *testing.T, r reply) {
			var doc struct{ Error string }
			if json.Unmarshal(r.body, &doc) != nil || doc.Error == "" {
				t.Errorf("npm refusal body %q is not {\"error\": ...}", r.body)
			}
		},
	}
}

func npmTgz(name, version string) []byte {
	b, err := npmreg.Package{Name: name, Version: version}.Tarball()
	if err != nil {
		panic(err)
	}
	return b
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// OCI: /v2/ghcr/OWNER/IMAGE/..., Basic credentials (hoard challenges with Basic and
// does the upstream's token exchange itself).
func ociMatrix() matrixFormat {
	var img, old fakegithub.Image
	return matrixFormat{
		name: "oci",
		seed: func(e *authEnv) {
			img = e.gh.SeedImage("acme/app", "v1", map[string]string{"app.txt": "app v1"})
			old = e.gh.SeedImage("acme/app", "old", map[string]string{"old.txt": "old"})
		},
		read: func(e *authEnv, c cred) []step {
			return []step{
				{"GET manifest by tag", 200, e.do("GET", "/v2/ghcr/acme/app/manifests/v1", c.basic(), nil, "Accept", ociAccept)},
				{"GET blob", 200, e.do("GET", "/v2/ghcr/acme/app/blobs/"+img.Layers[0], c.basic(), nil)},
			}
		},
		pub: func(e *authEnv, c cred, n int) []step { return ociPush(e, c, fmt.Sprintf("pushed-%d", n)) },
		del: func(e *authEnv, c cred) []step {
			return []step{
				{"DELETE manifest", 202, e.do("DELETE", "/v2/ghcr/acme/app/manifests/"+old.Manifest, c.basic(), nil)},
				{"DELETE blob", 202, e.do("DELETE", "/v2/ghcr/acme/app/blobs/"+old.Layers[0], c.basic(), nil)},
			}
		},
		pubbed: func(e *authEnv, n int) bool { return e.gh.Tag("acme/app", fmt.Sprintf("pushed-%d", n)) != "" },
		gone: func(e *authEnv) bool {
			return !e.gh.HasManifest("acme/app", old.Manifest) && !e.gh.HasBlob("acme/app", old.Layers[0])
		},
		refusal: func(t *testing.T, r reply) {
			var doc struct{ Errors []struct{ Code string } }
			want := map[int]string{401: "UNAUTHORIZED", 403: "DENIED"}[r.status]
			if json.Unmarshal(r.body, &doc) != nil || len(doc.Errors) == 0 || doc.Errors[0].Code != want {
				t.Errorf("OCI refusal body %q, want error code %s", r.body, want)
			}
			if r.header.Get("Docker-Distribution-API-Version") != "registry/2.0" {
				t.Errorf("OCI refusal without Docker-Distribution-API-Version")
			}
		},
	}
}

// ociPush pushes a new one-layer image as a client does: the layer by a POST and a
// closing PUT, the config monolithically (POST ?digest=), then the manifest.
func ociPush(e *authEnv, c cred, tag string) []step {
	layer, diffID := fakegithub.Layer(map[string]string{tag + ".txt": tag})
	config := []byte(fmt.Sprintf(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[%q]}}`, diffID))
	ld, cd := sha256Digest(layer), sha256Digest(config)
	manifest := []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":%q,"size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":%q,"size":%d}]}`,
		fakegithub.MediaManifest, cd, len(config), ld, len(layer)))
	start := e.do("POST", "/v2/ghcr/acme/app/blobs/uploads/", c.basic(), nil)
	loc := "/v2/ghcr/acme/app/blobs/uploads/never-handed-out"
	if l := start.header.Get("Location"); start.status == http.StatusAccepted && l != "" {
		loc = strings.TrimPrefix(l, e.h.URL)
	}
	sep := "?"
	if strings.Contains(loc, "?") {
		sep = "&"
	}
	return []step{
		{"POST upload", 202, start},
		{"PUT upload", 201, e.do("PUT", loc+sep+"digest="+ld, c.basic(), layer, "Content-Type", "application/octet-stream")},
		{"POST monolithic upload", 201, e.do("POST", "/v2/ghcr/acme/app/blobs/uploads/?digest="+cd, c.basic(), config, "Content-Type", "application/octet-stream")},
		{"PUT manifest", 201, e.do("PUT", "/v2/ghcr/acme/app/manifests/"+tag, c.basic(), manifest, "Content-Type", fakegithub.MediaManifest)},
	}
}

func sha256Digest(b []byte) string { return "sha256:" + sha256Hex(b) }

// ociAccept is the Accept header of a pulling client: every standard manifest type.
var ociAccept = strings.Join([]string{oci.MediaOCIIndex, oci.MediaOCIManifest, oci.MediaDockerList, oci.MediaDockerManifest}, ", ")
