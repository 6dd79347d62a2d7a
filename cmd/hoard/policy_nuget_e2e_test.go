package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"hoard/bench/fakegithub"
)

// nugetPolicyMinAge: long enough that installs started right after a publish
// fall inside it on a busy machine (NuGet.exe on mono is slow to start).
const nugetPolicyMinAge = 45 * time.Second

// NuGet.exe installs the newest version old enough for min_age, the newest when
// the package is exempt, and fails on a denied package with the rule named; a
// direct .nupkg download of the young version is refused and the registration's
// page bounds follow what is kept.
func TestNuGetExePolicyMinAgeAndDeny(t *testing.T) {
	requireNuGetExe(t)
	e := startNuGetPolicyEnv(t)
	e.seed(fakegithub.NuGetPackage("Hoard.PLib", "1.0.0"), fakegithub.NuGetPackage("Hoard.PEvil", "1.0.0"))
	time.Sleep(nugetPolicyMinAge + time.Second)
	e.seed(fakegithub.NuGetPackage("Hoard.PLib", "1.1.0"))
	published := time.Now()
	source := func(mount string) string { return e.h.URL + "/" + mount + "/acme/index.json" }

	if got, log, err := e.newClient(source("nuget")).install("Hoard.PLib"); err != nil || !hasDirs(got, "Hoard.PLib.1.0.0") {
		t.Errorf("with min_age, install Hoard.PLib gave %v (want 1.0.0): %v\n%s", got, err, lastLines(log, 40))
	}
	if got, log, err := e.newClient(source("exempt")).install("Hoard.PLib"); err != nil || !hasDirs(got, "Hoard.PLib.1.1.0") {
		t.Errorf("exempt from min_age, install Hoard.PLib gave %v (want 1.1.0): %v\n%s", got, err, lastLines(log, 40))
	}
	got, log, err := e.newClient(source("nuget")).install("Hoard.PEvil")
	if err == nil || hasDirs(got, "Hoard.PEvil.1.0.0") || !strings.Contains(log, "deny Hoard.PEvil") {
		t.Errorf("a denied package: %v, %v; want a failure naming the rule:\n%s", got, err, lastLines(log, 30))
	}

	status, hdr, body := e.do(http.MethodGet, "/nuget/acme/download/hoard.plib/1.1.0/hoard.plib.1.1.0.nupkg", e.basic(), nil)
	if status != http.StatusForbidden || !strings.HasPrefix(hdr.Get("X-Hoard-Policy"), "min_age") || !strings.Contains(string(body), `"statusCode":403`) {
		t.Errorf("direct download of a version younger than min_age: %d %q %s", status, hdr.Get("X-Hoard-Policy"), body)
	}
	checkRegistrationBounds(t, e, "/nuget/acme/registration/hoard.plib/index.json", "1.0.0")
	checkSearchFiltered(t, e, "/nuget/acme/query?q=hoard.p&prerelease=true")
	if time.Since(published) > nugetPolicyMinAge {
		t.Fatalf("the machine is too slow for this test: the young version came of age during it")
	}
}

// checkRegistrationBounds: every inlined page's count, lower and upper are
// those of the leaves it keeps, and the newest leaf kept is upper.
func checkRegistrationBounds(t *testing.T, e *nugetEnv, path, upper string) {
	t.Helper()
	status, _, body := e.do(http.MethodGet, path, e.basic(), nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	var reg struct {
		Count int `json:"count"`
		Items []struct {
			Count int    `json:"count"`
			Lower string `json:"lower"`
			Upper string `json:"upper"`
			Items []struct {
				CatalogEntry struct {
					Version string `json:"version"`
				} `json:"catalogEntry"`
			} `json:"items"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &reg); err != nil {
		t.Fatal(err)
	}
	if reg.Count != len(reg.Items) || len(reg.Items) == 0 {
		t.Fatalf("registration count %d for %d pages", reg.Count, len(reg.Items))
	}
	last := reg.Items[len(reg.Items)-1]
	for _, p := range reg.Items {
		if p.Count != len(p.Items) || len(p.Items) == 0 || p.Lower != p.Items[0].CatalogEntry.Version || p.Upper != p.Items[len(p.Items)-1].CatalogEntry.Version {
			t.Errorf("page bounds %s..%s (count %d) do not describe its %d leaves", p.Lower, p.Upper, p.Count, len(p.Items))
		}
	}
	if last.Upper != upper {
		t.Errorf("registration's upper bound %s, want %s", last.Upper, upper)
	}
}

// checkSearchFiltered: a search for both packages lists Hoard.PLib at 1.0.0
// only, and not Hoard.PEvil.
func checkSearchFiltered(t *testing.T, e *nugetEnv, path string) {
	t.Helper()
	status, hdr, body := e.do(http.MethodGet, path, e.basic(), nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	var res struct {
		TotalHits int `json:"totalHits"`
		Data      []struct {
			ID       string `json:"id"`
			Version  string `json:"version"`
			Versions []struct {
				Version string `json:"version"`
			} `json:"versions"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Data) != 1 || res.TotalHits != 1 || res.Data[0].ID != "Hoard.PLib" || res.Data[0].Version != "1.0.0" ||
		len(res.Data[0].Versions) != 1 || !strings.Contains(hdr.Get("X-Hoard-Policy-Hidden"), "hoard.pevil (deny Hoard.PEvil)") {
		t.Errorf("search not filtered (hidden %q): %s", hdr.Get("X-Hoard-Policy-Hidden"), body)
	}
}

// startNuGetPolicyEnv is startNuGetEnv's fake and hoard, with two mounts of
// GitHub's NuGet registry under policies: "nuget" with min_age, "exempt" with
// the same min_age and the Hoard.* packages exempt; Hoard.PEvil denied globally.
func startNuGetPolicyEnv(t *testing.T) *nugetEnv {
	e := newNuGetFake(t, "read:packages")
	e.startHoard(fmt.Sprintf(`data_dir: unused
auth: {mode: upstream, validate_url: %[1]q, verdict_ttl: 1h, access_ttl: 1h}
policy: {deny: ["Hoard.PEvil"]}
mounts:
  - {name: nuget, format: nuget, upstream: %[2]q, policy: {min_age: %[3]s}}
  - {name: exempt, format: nuget, upstream: %[2]q, policy: {min_age: %[3]s, min_age_exempt: ["Hoard.*"]}}
`, e.gh.URL(fakegithub.API)+"/user", e.gh.URL(fakegithub.NuGet), nugetPolicyMinAge))
	return e
}
