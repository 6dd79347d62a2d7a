package proxy

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"hoard/configs"
)

const mavenTwoVersions = `<?xml version="1.0" encoding="UTF-8"?>
<metadata><groupId>com.example</groupId><artifactId>lib</artifactId>
<versioning><latest>2.0</latest><release>2.0</release><versions><version>1.0</version><version>2.0</version></versions>
<lastUpdated>20991231000000</lastUpdated></versioning>
</metadata>
`

// pomAt serves a POM at p last modified at t, as a repository dates a deploy.
func pomAt(o *origin, p string, t time.Time) {
	o.fault(p, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", t.UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte("<project/>"))
	})
}

// A Maven version is dated by its POM's Last-Modified: one younger than min_age
// is dropped from maven-metadata.xml (latest, release and lastUpdated
// following), its files are refused, and it comes back once old enough.
func TestPolicyMavenMinAgeByPomDate(t *testing.T) {
	now := time.Now()
	o := newOrigin(t)
	o.publish(metaPath, []byte(mavenTwoVersions))
	pomAt(o, "/com/example/lib/1.0/lib-1.0.pom", now.AddDate(0, 0, -30))
	pomAt(o, "/com/example/lib/2.0/lib-2.0.pom", now.Add(-time.Hour))
	o.add("/com/example/lib/2.0/lib-2.0.jar", []byte("new"))
	e := newEnv(t, o, func(c *configs.Config) { c.Mounts[0].Policy.MinAge = configs.Age(72 * time.Hour) })

	r := get(t, e.url(metaPath))
	if r.status != http.StatusOK || strings.Contains(string(r.body), "<version>2.0</version>") ||
		!strings.Contains(string(r.body), "<latest>1.0</latest>") || !strings.Contains(string(r.body), "<release>1.0</release>") {
		t.Fatalf("status %d body %s", r.status, r.body)
	}
	wantUpdated := "<lastUpdated>" + now.AddDate(0, 0, -30).UTC().Format("20060102150405") + "</lastUpdated>"
	if !strings.Contains(string(r.body), wantUpdated) {
		t.Errorf("lastUpdated not that of the newest version kept (%s): %s", wantUpdated, r.body)
	}
	if got := r.header.Get(hiddenHeader); got != "2.0 (min_age 72h0m0s)" {
		t.Errorf("%s = %q", hiddenHeader, got)
	}
	if c := get(t, e.url(metaPath+".sha1")); string(c.body) != hexDigest("sha1", r.body) {
		t.Errorf("sha1 %q is not that of the filtered document", c.body)
	}
	j := get(t, e.url("/com/example/lib/2.0/lib-2.0.jar"))
	if j.status != http.StatusForbidden || j.header.Get(policyHeader) != "min_age 72h0m0s" {
		t.Errorf("young jar: status %d %s=%q", j.status, policyHeader, j.header.Get(policyHeader))
	}
	if o.count("/com/example/lib/2.0/lib-2.0.jar") != 0 {
		t.Error("a refused jar was fetched upstream")
	}
	// Dated once: the POM is not asked for again.
	get(t, e.url(metaPath))
	if n := o.count("/com/example/lib/2.0/lib-2.0.pom"); n != 1 {
		t.Errorf("the POM was fetched %d times, want 1", n)
	}

	e.clock.Advance(72 * time.Hour)
	if r := get(t, e.url(metaPath)); !strings.Contains(string(r.body), "<version>2.0</version>") || r.header.Get(hiddenHeader) != "" {
		t.Errorf("after 72h 2.0 is still hidden: %s", r.body)
	}
	if j := get(t, e.url("/com/example/lib/2.0/lib-2.0.jar")); j.status != http.StatusOK {
		t.Errorf("after 72h the jar: status %d", j.status)
	}
}

// A freeze hides a Maven version deployed after it, and an exempt package waits
// for nothing.
func TestPolicyMavenFreezeAndExempt(t *testing.T) {
	now := time.Now()
	o := newOrigin(t)
	o.publish(metaPath, []byte(mavenTwoVersions))
	pomAt(o, "/com/example/lib/1.0/lib-1.0.pom", now.AddDate(0, 0, -30))
	pomAt(o, "/com/example/lib/2.0/lib-2.0.pom", now.Add(-time.Hour))
	frozen := newEnv(t, o, func(c *configs.Config) { c.Mounts[0].Policy.Freeze = configs.Date{Time: now.AddDate(0, 0, -1)} })
	if r := get(t, frozen.url(metaPath)); strings.Contains(string(r.body), "<version>2.0</version>") || !strings.HasPrefix(r.header.Get(hiddenHeader), "2.0 (freeze") {
		t.Errorf("freeze: %s=%q body %s", hiddenHeader, r.header.Get(hiddenHeader), r.body)
	}
	exempt := newEnv(t, o, func(c *configs.Config) {
		c.Mounts[0].Policy.MinAge = configs.Age(72 * time.Hour)
		c.Mounts[0].Policy.MinAgeExempt = []string{"com.example:*"}
	})
	if r := get(t, exempt.url(metaPath)); !strings.Contains(string(r.body), "<version>2.0</version>") {
		t.Errorf("exempt package filtered: %s", r.body)
	}
}

// A version whose POM cannot be fetched (an upstream error) is undated: by
// default min_age refuses it, failing closed; undated: allow lets it through.
func TestPolicyMavenUndatedFailsClosed(t *testing.T) {
	o := newOrigin(t)
	o.publish(metaPath, []byte(mavenTwoVersions))
	pomAt(o, "/com/example/lib/1.0/lib-1.0.pom", time.Now().AddDate(0, 0, -30))
	o.fault("/com/example/lib/2.0/lib-2.0.pom", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	o.add("/com/example/lib/2.0/lib-2.0.jar", []byte("new"))
	closed := newEnv(t, o, func(c *configs.Config) { c.Mounts[0].Policy.MinAge = configs.Age(72 * time.Hour) })
	r := get(t, closed.url(metaPath))
	if strings.Contains(string(r.body), "<version>2.0</version>") || r.header.Get(hiddenHeader) != "2.0 (min_age 72h0m0s, release time unknown)" {
		t.Errorf("undated version kept: %s=%q body %s", hiddenHeader, r.header.Get(hiddenHeader), r.body)
	}
	if j := get(t, closed.url("/com/example/lib/2.0/lib-2.0.jar")); j.status != http.StatusForbidden {
		t.Errorf("undated jar: status %d, want 403", j.status)
	}
	open := newEnv(t, o, func(c *configs.Config) {
		c.Mounts[0].Policy.MinAge = configs.Age(72 * time.Hour)
		c.Mounts[0].Policy.Undated = "allow"
	})
	if r := get(t, open.url(metaPath)); !strings.Contains(string(r.body), "<version>2.0</version>") {
		t.Errorf("undated: allow hid the version: %s", r.body)
	}
}
