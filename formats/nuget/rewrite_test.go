package nuget

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
)

const upstreamHost = "upstream.example"

// registrationDoc is a registration index as nuget.org writes it, every URL on the
// upstream's host.
var registrationDoc = []byte(`{"@id":"https://upstream.example/reg/tool/index.json","@context":{"@vocab":"http://schema.nuget.org/schema#","@base":"https://upstream.example/reg/"},
"count":1,"items":[{"@id":"https://upstream.example/reg/tool/index.json#page/1.0.0/1.0.0","count":1,"lower":"1.0.0","upper":"1.0.0",
"parent":"https://upstream.example/reg/tool/index.json","items":[{"@id":"https://upstream.example/reg/tool/1.0.0.json",
"catalogEntry":{"@id":"https://upstream.example/catalog/tool.1.0.0.json","id":"Tool","version":"1.0.0","packageContent":"https://upstream.example/flat/tool/1.0.0/tool.1.0.0.nupkg",
"dependencyGroups":[{"@id":"https://upstream.example/catalog/tool.1.0.0.json#dependencygroup","dependencies":[{"@id":"https://upstream.example/catalog/tool.1.0.0.json#dependencygroup/dep","id":"Dep","range":"[1.0.0, )","registration":"https://upstream.example/reg/dep/index.json"}]}],
"deprecation":{"@id":"https://upstream.example/catalog/tool.1.0.0.json#deprecation","reasons":["Legacy"]},
"packageHash":"z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==","packageHashAlgorithm":"SHA512"},
"packageContent":"https://upstream.example/flat/tool/1.0.0/tool.1.0.0.nupkg","registration":"https://upstream.example/reg/tool/index.json"}]}]}`)

func TestRewriteRegistrationLeavesNoUpstreamURL(t *testing.T) {
	const base = "http://hoard.test/nuget"
	rt := registration("acme", slugRegSemV2, "tool", indexFile)
	out, err := Format{}.Rewrite(rt, registrationDoc, base)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(upstreamHost)) {
		t.Errorf("rewritten registration still names the upstream: %s", out)
	}
	for _, want := range []string{
		`"@id":"http://hoard.test/nuget/acme/registration-semver2/tool/page/1.0.0/1.0.0.json"`,
		`"packageContent":"http://hoard.test/nuget/acme/download/tool/1.0.0/tool.1.0.0.nupkg"`,
		`"registration":"http://hoard.test/nuget/acme/registration-semver2/dep/index.json"`,
		`"@id":"http://hoard.test/nuget/acme/registration-semver2/tool/1.0.0.json#deprecation"`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("rewritten registration lacks %s: %s", want, out)
		}
	}
	sums, err := Format{}.Sums(rt, out, base)
	if err != nil || sums["acme/download/tool/1.0.0/tool.1.0.0.nupkg"].Algo != "sha512" {
		t.Errorf("Sums = %v, %v", sums, err)
	}
}

func TestRewriteIndexListsOnlyOfferedResources(t *testing.T) {
	up := []byte(`{"version":"3.0.0","resources":[{"@id":"https://upstream.example/flat/","@type":"PackageBaseAddress/3.0.0"},{"@id":"https://upstream.example/reg/","@type":"RegistrationsBaseUrl"}]}`)
	out, err := Format{}.Rewrite(serviceIndex("v3"), up, "http://hoard.test/feed")
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, upstreamHost) || strings.Contains(s, "Search") || strings.Contains(s, "PackagePublish") {
		t.Errorf("index: %s", s)
	}
	if !strings.Contains(s, `"@id":"http://hoard.test/feed/v3/download/"`) || !strings.Contains(s, `"RegistrationsBaseUrl/3.6.0"`) {
		t.Errorf("index lacks Hoard's resources: %s", s)
	}
	for _, bad := range [][]byte{[]byte(`[]`), []byte(`{"version":"2.0.0","resources":[]}`), []byte(`<html>`)} {
		if _, err := (Format{}).Rewrite(serviceIndex("v3"), bad, "http://h"); err == nil {
			t.Errorf("index %s accepted", bad)
		}
	}
}

func TestResolveRefusesAnotherHost(t *testing.T) {
	index, _ := url.Parse("https://nuget.example/acme/index.json")
	if _, err := resolve(index, "https://evil.example/flat/", slugDownload, "x/index.json"); err == nil {
		t.Error("a resource on another host was resolved")
	}
	u, err := resolve(index, "/acme/download", slugDownload, "x/index.json")
	if err != nil || u.String() != "https://nuget.example/acme/download/x/index.json" {
		t.Errorf("relative resource: %v, %v", u, err)
	}
	u, err = resolve(index, "https://nuget.example/acme/query?x=1", slugQuery, "")
	if err != nil || u.String() != "https://nuget.example/acme/query" {
		t.Errorf("search resource: %v, %v", u, err)
	}
}

func TestCheckBody(t *testing.T) {
	nupkg := nupkgRoute("acme", "tool", "1.0.0")
	if (Format{}).CheckBody(nupkg, nil, []byte("<html>")) == nil {
		t.Error("an HTML .nupkg passed")
	}
	if err := (Format{}).CheckBody(nupkg, nil, []byte("PK\x03\x04rest")); err != nil {
		t.Error(err)
	}
	if (Format{}).CheckBody(versionsRoute("acme", "tool"), nil, []byte("[1]")) == nil {
		t.Error("a JSON array passed as a versions index")
	}
}
