package harness

import (
	"archive/zip"
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
)

// A NuGet v3 feed in the origin's tree, as static files: its service index (whose
// resources are relative, so the tree need not know the origin's address), a
// versions index, .nupkg files and registrations with their packageHash. Hoard
// mounts it as nuget=…/nuget/v3/index.json, so the same paths address it on the
// origin, nginx and Hoard.
const (
	nugetFeed      = "/nuget/v3"
	pathNupkg      = nugetFeed + "/download/bench.pkg/1.0.0/bench.pkg.1.0.0.nupkg"
	pathNuVersions = nugetFeed + "/download/bench.pkg/index.json"
	pathNuReg      = nugetFeed + "/registration/bench.pkg/index.json"
	pathNuHerd     = nugetFeed + "/download/herd/1.0.0/herd.1.0.0.nupkg"
)

// Sizes of the generated packages: a small library, and a larger one for the herd.
const (
	nupkgBytes     = 100 << 10
	nupkgHerdBytes = 5 << 20
	nugetVersions  = 100 // versions in the warm versions index and registration
)

func isNuGet(p string) bool { return strings.HasPrefix(p, "/nuget/") }

func nupkgPath(id string) string {
	return nugetFeed + "/download/" + id + "/1.0.0/" + id + ".1.0.0.nupkg"
}

func coldNupkgPath(i int) string { return nupkgPath(fmt.Sprintf("cold%d", i)) }
func coldNuVersionsPath(i int) string {
	return nugetFeed + fmt.Sprintf("/download/coldv%d/index.json", i)
}

// nugetHerdPath is the herd package of a round.
func nugetHerdPath(round int) string {
	if round == 0 {
		return pathNuHerd
	}
	return nupkgPath(fmt.Sprintf("herd%d", round))
}

// writeNuGet writes the feed: the service index, the warm package with
// nugetVersions versions listed, a cold package and versions index per cold
// fetch, and a herd package per round.
func writeNuGet(root string, spec dataSpec, rng *rand.Rand) error {
	files := map[string][]byte{nugetFeed + "/index.json": nugetServiceIndex()}
	add := func(id string, size int, versions int) {
		pkg := nupkg(id, size, rng)
		files[nupkgPath(id)] = pkg
		files[nugetFeed+"/registration/"+id+"/index.json"] = nugetRegistration(id, pkg, versions)
	}
	add("bench.pkg", nupkgBytes, nugetVersions)
	files[pathNuVersions] = nugetVersionsIndex(nugetVersions)
	for i := 0; i < spec.ColdMeta; i++ {
		add(fmt.Sprintf("cold%d", i), nupkgBytes, 1)
		files[coldNuVersionsPath(i)] = nugetVersionsIndex(nugetVersions)
	}
	for i := range max(spec.HerdBlobs, 1) {
		id := "herd"
		if i > 0 {
			id = fmt.Sprintf("herd%d", i)
		}
		add(id, nupkgHerdBytes, 1)
	}
	for p, body := range files {
		if err := writeWithSHA1(filepath.Join(root, filepath.FromSlash(p)), bytesTo(body)); err != nil {
			return fmt.Errorf("writing %s: %w", p, err)
		}
	}
	return nil
}

func nugetServiceIndex() []byte {
	var res []map[string]string
	add := func(id string, types ...string) {
		for _, t := range types {
			res = append(res, map[string]string{"@id": nugetFeed + id, "@type": t})
		}
	}
	add("/download/", "PackageBaseAddress/3.0.0")
	add("/registration/", "RegistrationsBaseUrl", "RegistrationsBaseUrl/3.4.0", "RegistrationsBaseUrl/3.6.0")
	b, _ := json.Marshal(map[string]any{"version": "3.0.0", "resources": res})
	return b
}

// nupkg is a package of about size bytes: its .nuspec and a stored (not
// compressed) random library, as built assemblies barely compress.
func nupkg(id string, size int, rng *rand.Rand) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create(id + ".nuspec")
	fmt.Fprintf(w, `<?xml version="1.0"?><package><metadata><id>%s</id><version>1.0.0</version><authors>bench</authors><description>d</description></metadata></package>`, id)
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "lib/netstandard2.0/" + id + ".dll", Method: zip.Store})
	randomBytes(w, rng, int64(size))
	zw.Close()
	return b.Bytes()
}

func nugetVersionsIndex(n int) []byte {
	vs := make([]string, n)
	for i := range vs {
		vs[i] = fmt.Sprintf("0.%d.0", i)
	}
	vs[n-1] = "1.0.0"
	b, _ := json.Marshal(map[string]any{"versions": vs})
	return b
}

// nugetRegistration is a registration index of n versions in one inlined page;
// the last is 1.0.0, the package given, with its packageHash.
func nugetRegistration(id string, pkg []byte, n int) []byte {
	sum := sha512.Sum512(pkg)
	base := "https://upstream.invalid" + nugetFeed + "/registration/" + id + "/"
	var leaves []any
	for i := 0; i < n; i++ {
		v := fmt.Sprintf("0.%d.0", i)
		entry := map[string]any{"@id": base + v + ".json#entry", "id": id, "version": v, "description": "d", "authors": "bench", "listed": true,
			"dependencyGroups": []any{}, "packageContent": "https://upstream.invalid/flat/" + id + "/" + v + "/" + id + "." + v + ".nupkg"}
		if i == n-1 {
			v = "1.0.0"
			entry["version"] = v
			entry["packageHash"], entry["packageHashAlgorithm"] = base64.StdEncoding.EncodeToString(sum[:]), "SHA512"
		}
		leaves = append(leaves, map[string]any{"@id": base + v + ".json", "catalogEntry": entry,
			"packageContent": "https://upstream.invalid/flat/" + id + "/" + v + "/" + id + "." + v + ".nupkg", "registration": base + "index.json"})
	}
	page := map[string]any{"@id": base + "index.json#page/0.0.0/1.0.0", "count": n, "lower": "0.0.0", "upper": "1.0.0", "items": leaves, "parent": base + "index.json"}
	b, _ := json.Marshal(map[string]any{"@id": base + "index.json", "count": 1, "items": []any{page}})
	return b
}
