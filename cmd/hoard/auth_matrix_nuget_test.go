package main_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"

	"hoard/bench/fakegithub"
)

// NuGet: /nuget/OWNER/..., Basic credentials on reads (NuGet.exe after the 401
// challenge), the token in X-NuGet-ApiKey on push and delete.
func nugetMatrix() matrixFormat {
	const base = "/nuget/acme/"
	return matrixFormat{
		name: "nuget",
		seed: func(e *authEnv) {
			for _, p := range [][2]string{{"Lib", "1.0.0"}, {"Old", "1.0.0"}, {"Old", "1.0.1"}} {
				if err := e.gh.SeedNuGet(ghOwner, fakegithub.NuGetPackage(p[0], p[1])); err != nil {
					e.t.Fatal(err)
				}
			}
		},
		read: func(e *authEnv, c cred) []step {
			return []step{
				{"GET versions index", 200, e.do("GET", base+"download/lib/index.json", c.basic(), nil)},
				{"GET .nupkg", 200, e.do("GET", base+"download/lib/1.0.0/lib.1.0.0.nupkg", c.basic(), nil)},
			}
		},
		pub: func(e *authEnv, c cred, n int) []step {
			body, ctype := nugetPushBody(fakegithub.NuGetPackage("Lib", fmt.Sprintf("2.0.%d", n)))
			return []step{{"PUT push", 201, e.do("PUT", base, "", body, "Content-Type", ctype, "X-NuGet-ApiKey", c.tok)}}
		},
		del: func(e *authEnv, c cred) []step {
			return []step{{"DELETE version", 204, e.do("DELETE", base+"Old/1.0.1", "", nil, "X-NuGet-ApiKey", c.tok)}}
		},
		pubbed: func(e *authEnv, n int) bool {
			return contains(e.gh.NuGetVersions(ghOwner, "Lib"), fmt.Sprintf("2.0.%d", n))
		},
		gone: func(e *authEnv) bool { return !contains(e.gh.NuGetVersions(ghOwner, "Old"), "1.0.1") },
		refusal: func(t *testing.T, r reply) {
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
				t.Errorf("NuGet refusal with Content-Type %q, want application/json", r.header.Get("Content-Type"))
			}
		},
	}
}

// nugetPushBody is the multipart body NuGet.exe sends to push a package.
func nugetPushBody(nupkg []byte) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("package", "package.nupkg")
	fw.Write(nupkg)
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}
