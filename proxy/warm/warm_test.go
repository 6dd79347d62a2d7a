package warm

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"hoard/formats/lockfile"
)

// fakeDaemon answers like hoard's handler: fixed bodies by path, X-Hoard-Cache
// "miss" the first time a path is asked for and "hit" after.
type fakeDaemon struct {
	mu    sync.Mutex
	docs  map[string]string
	asked map[string]int
}

func (f *fakeDaemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	body, ok := f.docs[r.URL.EscapedPath()]
	f.asked[r.URL.EscapedPath()]++
	n := f.asked[r.URL.EscapedPath()]
	f.mu.Unlock()
	if !ok {
		http.Error(w, "not found upstream", http.StatusNotFound)
		return
	}
	w.Header().Set("X-Hoard-Cache", map[bool]string{true: "miss", false: "hit"}[n == 1])
	w.Write([]byte(body))
}

func warmWith(t *testing.T, f *fakeDaemon, targets ...Target) Summary {
	t.Helper()
	f.asked = map[string]int{}
	return Run(t.Context(), Options{Handler: f, PublicURL: "http://hoard.test", Parallel: 3}, targets)
}

func TestNpmTarballsFromThePackument(t *testing.T) {
	f := &fakeDaemon{docs: map[string]string{
		"/npm/@s%2Fa": `{"versions":{"1.0.0":{"dist":{"tarball":"http://hoard.test/npm/@s/a/-/a-1.0.0.tgz"}},` +
			`"2.0.0":{"dist":{"tarball":"http://elsewhere.example/a-2.0.0.tgz"}}}}`,
		"/npm/@s/a/-/a-1.0.0.tgz": "tgz",
	}}
	l := lockfile.List{Format: lockfile.NPM, Packages: []lockfile.Package{{Name: "@s/a", Version: "1.0.0"}, {Name: "@s/a", Version: "2.0.0"}, {Name: "@s/a", Version: "3.0.0"}}}
	s := warmWith(t, f, Target{Mount: "npm", Format: lockfile.NPM, List: l})
	if f.asked["/npm/@s/a/-/a-1.0.0.tgz"] != 1 || f.asked["/npm/@s%2Fa"] != 2 {
		t.Errorf("asked %v", f.asked)
	}
	if s.Failed != 2 || !strings.Contains(strings.Join(s.Failures, "\n"), "has no version 3.0.0") ||
		!strings.Contains(strings.Join(s.Failures, "\n"), "does not point at this daemon") {
		t.Errorf("summary %+v", s)
	}
}

func TestMavenParentsAndChecksums(t *testing.T) {
	pom := func(parent string) string {
		if parent == "" {
			return "<project/>"
		}
		p := strings.Split(parent, ":")
		return "<project><parent><groupId>" + p[0] + "</groupId><artifactId>" + p[1] + "</artifactId><version>" + p[2] + "</version></parent></project>"
	}
	f := &fakeDaemon{docs: map[string]string{
		"/m/O/R/com/acme/x/1.0/x-1.0.pom":            pom("com.acme:parent:2"),
		"/m/O/R/com/acme/x/1.0/x-1.0-tests.jar":      "jar",
		"/m/O/R/com/acme/x/1.0/x-1.0-tests.jar.sha1": "sha",
		"/m/O/R/com/acme/parent/2/parent-2.pom":      pom("org.root:root:9"),
		"/m/O/R/org/root/root/9/root-9.pom":          pom(""),
		"/m/O/R/org/root/root/9/root-9.pom.sha1":     "sha",
	}}
	l := lockfile.List{Format: lockfile.Maven, Packages: []lockfile.Package{{Name: "com.acme:x", Version: "1.0", Type: "test-jar"}}}
	s := warmWith(t, f, Target{Mount: "m", Format: lockfile.Maven, Prefix: "O/R", List: l})
	if s.Failed != 0 || s.Fetched != 6 {
		t.Errorf("summary %+v, asked %v", s, f.asked)
	}
	if f.asked["/m/O/R/org/root/root/9/root-9.pom"] != 1 {
		t.Errorf("the grandparent POM was not fetched: %v", f.asked)
	}
}

func TestOCIIndexPlatformsAndBlobs(t *testing.T) {
	img := `{"config":{"digest":"sha256:` + strings.Repeat("c", 64) + `"},"layers":[{"digest":"sha256:` + strings.Repeat("d", 64) + `"}]}`
	imgDigest := sha256Digest([]byte(img))
	index := `{"manifests":[{"digest":"` + imgDigest + `"}]}`
	base := "/v2/reg/lib/app"
	f := &fakeDaemon{docs: map[string]string{
		base + "/manifests/v1":                             index,
		base + "/manifests/" + sha256Digest([]byte(index)): index,
		base + "/manifests/" + imgDigest:                   img,
		base + "/blobs/sha256:" + strings.Repeat("c", 64):  "config",
		base + "/blobs/sha256:" + strings.Repeat("d", 64):  "layer",
	}}
	l := lockfile.List{Format: lockfile.OCI, Images: []string{"lib/app:v1"}}
	s := warmWith(t, f, Target{Mount: "reg", Format: lockfile.OCI, List: l})
	if s.Failed != 0 || s.Fetched != 5 {
		t.Errorf("summary %+v, asked %v", s, f.asked)
	}
	if f.asked[base+"/referrers/"+imgDigest] != 1 {
		t.Errorf("referrers of the platform manifest not asked for: %v", f.asked)
	}
}

func TestSecondRunIsCached(t *testing.T) {
	f := &fakeDaemon{docs: map[string]string{"/v2/reg/a/manifests/sha256:" + strings.Repeat("e", 64): "{}"}}
	l := lockfile.List{Format: lockfile.OCI, Images: []string{"a@sha256:" + strings.Repeat("e", 64)}}
	tg := Target{Mount: "reg", Format: lockfile.OCI, List: l}
	if s := warmWith(t, f, tg); s.Fetched != 1 {
		t.Fatalf("first %+v", s)
	}
	f.mu.Lock()
	f.asked = map[string]int{"/v2/reg/a/manifests/sha256:" + strings.Repeat("e", 64): 1}
	f.mu.Unlock()
	s := Run(t.Context(), Options{Handler: f, PublicURL: "http://hoard.test"}, []Target{tg})
	if s.Fetched != 0 || s.Cached != 1 {
		t.Errorf("second %+v", s)
	}
}

func TestRubyGemsCompactIndex(t *testing.T) {
	f := &fakeDaemon{docs: map[string]string{
		"/gems/OWNER/versions":                              "created_at: x\n---\n",
		"/gems/OWNER/info/rack":                             "---\n3.0.8 |checksum:ab\n",
		"/gems/OWNER/info/nokogiri":                         "---\n",
		"/gems/OWNER/gems/rack-3.0.8.gem":                   "gem",
		"/gems/OWNER/gems/nokogiri-1.15.4-x86_64-linux.gem": "gem",
	}}
	l := lockfile.List{Format: lockfile.RubyGems, Packages: []lockfile.Package{
		{Name: "rack", Version: "3.0.8"}, {Name: "nokogiri", Version: "1.15.4", Platform: "x86_64-linux"}}}
	s := warmWith(t, f, Target{Mount: "gems", Format: lockfile.RubyGems, Prefix: "OWNER", List: l})
	if s.Failed != 0 || s.Fetched != 5 {
		t.Errorf("summary %+v, asked %v", s, f.asked)
	}
}

func TestNuGetFeed(t *testing.T) {
	f := &fakeDaemon{docs: map[string]string{
		"/nuget/acme/index.json": "{}",
		"/nuget/acme/download/newtonsoft.json/13.0.1/newtonsoft.json.13.0.1.nupkg": "nupkg",
		"/nuget/acme/download/newtonsoft.json/index.json":                          `{"versions":["13.0.1"]}`,
		"/nuget/acme/registration/newtonsoft.json/index.json":                      `{"items":[{"@id":"http://hoard.test/nuget/acme/registration/newtonsoft.json/page/1.0.0/13.0.1.json"}]}`,
		"/nuget/acme/registration/newtonsoft.json/page/1.0.0/13.0.1.json":          "{}",
	}}
	l := lockfile.List{Format: lockfile.NuGet, Packages: []lockfile.Package{{Name: "newtonsoft.json", Version: "13.0.1"}}}
	s := warmWith(t, f, Target{Mount: "nuget", Format: lockfile.NuGet, Prefix: "acme", List: l})
	if s.Failed != 0 || s.Fetched != 5 || f.asked["/nuget/acme/registration-gz/newtonsoft.json/index.json"] != 1 {
		t.Errorf("summary %+v, asked %v", s, f.asked)
	}
}
