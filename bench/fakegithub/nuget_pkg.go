package fakegithub

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// NuGetDep is a dependency a package declares: an id and a version range.
type NuGetDep struct{ ID, Range string }

// NuGetPackage builds a .nupkg as `nuget pack` would: a .nuspec at the root naming
// id and version (and deps, in one group for every framework), a content file, and
// the packaging parts.
func NuGetPackage(id, version string, deps ...NuGetDep) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	var dl strings.Builder
	for _, d := range deps {
		fmt.Fprintf(&dl, `<dependency id="%s" version="%s" />`, d.ID, d.Range)
	}
	add := func(name, body string) {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	add(id+".nuspec", `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata>`+
		`<id>`+id+`</id><version>`+version+`</version><authors>acme</authors>`+
		`<description>`+id+` for tests</description>`+
		`<dependencies><group>`+dl.String()+`</group></dependencies></metadata></package>`)
	add("content/"+id+".txt", id+" "+version+"\n")
	add("[Content_Types].xml", `<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="nuspec" ContentType="application/octet" /><Default Extension="txt" ContentType="application/octet" /></Types>`)
	zw.Close()
	return b.Bytes()
}

// nuspecDoc is what the registry reads of a pushed package's .nuspec.
type nuspecDoc struct {
	ID      string `xml:"metadata>id"`
	Version string `xml:"metadata>version"`
	Desc    string `xml:"metadata>description"`
	Deps    []struct {
		ID      string `xml:"id,attr"`
		Version string `xml:"version,attr"`
	} `xml:"metadata>dependencies>dependency"`
	Groups []struct {
		Deps []struct {
			ID      string `xml:"id,attr"`
			Version string `xml:"version,attr"`
		} `xml:"dependency"`
	} `xml:"metadata>dependencies>group"`
}

// readPackage reads a .nupkg's .nuspec, raw and parsed.
func readPackage(nupkg []byte) ([]byte, nuspecDoc, error) {
	zr, err := zip.NewReader(bytes.NewReader(nupkg), int64(len(nupkg)))
	if err != nil {
		return nil, nuspecDoc{}, errors.New("the package is not a valid zip archive")
	}
	for _, f := range zr.File {
		if strings.Contains(f.Name, "/") || !strings.HasSuffix(strings.ToLower(f.Name), ".nuspec") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, nuspecDoc{}, err
		}
		raw, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		rc.Close()
		if err != nil {
			return nil, nuspecDoc{}, err
		}
		var doc nuspecDoc
		if err := xml.Unmarshal(raw, &doc); err != nil || doc.ID == "" || doc.Version == "" {
			return nil, nuspecDoc{}, errors.New("the package's .nuspec is not valid")
		}
		return raw, doc, nil
	}
	return nil, nuspecDoc{}, errors.New("the package has no .nuspec")
}

// deps lists a .nuspec's dependencies, flat or in groups.
func (d nuspecDoc) deps() []NuGetDep {
	var out []NuGetDep
	for _, x := range d.Deps {
		out = append(out, NuGetDep{x.ID, x.Version})
	}
	for _, g := range d.Groups {
		for _, x := range g.Deps {
			out = append(out, NuGetDep{x.ID, x.Version})
		}
	}
	return out
}

// normVersion normalizes a version as the NuGet server API does (1.0 and 1.0.0.0
// are 1.0.0; build metadata dropped); "" when it is not a version.
func normVersion(v string) string {
	core, _, _ := strings.Cut(v, "+")
	core, pre, hasPre := strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 4 {
		return ""
	}
	var nums []string
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return ""
		}
		nums = append(nums, strconv.Itoa(n))
	}
	for len(nums) < 3 {
		nums = append(nums, "0")
	}
	if len(nums) == 4 && nums[3] == "0" {
		nums = nums[:3]
	}
	out := strings.Join(nums, ".")
	if hasPre {
		if pre == "" {
			return ""
		}
		out += "-" + pre
	}
	return out
}

// lessVersion orders normalized versions by SemVer 2 precedence.
func lessVersion(a, b string) bool {
	ac, ap, _ := strings.Cut(a, "-")
	bc, bp, _ := strings.Cut(b, "-")
	an, bn := strings.Split(ac, "."), strings.Split(bc, ".")
	for i := 0; i < len(an) && i < len(bn); i++ {
		x, _ := strconv.Atoi(an[i])
		y, _ := strconv.Atoi(bn[i])
		if x != y {
			return x < y
		}
	}
	if len(an) != len(bn) {
		return len(an) < len(bn)
	}
	switch {
	case ap == bp:
		return false
	case ap == "":
		return false
	case bp == "":
		return true
	}
	return strings.ToLower(ap) < strings.ToLower(bp)
}

func sortVersions(vs []string) {
	sort.Slice(vs, func(i, j int) bool { return lessVersion(vs[i], vs[j]) })
}
