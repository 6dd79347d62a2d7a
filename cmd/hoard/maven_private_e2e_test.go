package main_test

import (
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"hoard/bench/origin"
)

// TestMavenPrivateUpstream: the origin wants credentials for reads too. Maven sends
// them only after a 401 with a Basic challenge, so the build passes only if hoard
// relays the origin's challenge and forwards the Authorization header. What the
// build cached must then not be handed to an anonymous caller.
func TestMavenPrivateUpstream(t *testing.T) {
	requireMaven(t)
	const creds = "reader:s3cret"
	o := origin.New(origin.Options{Root: debianMavenRepo, Checksums: true, RequireAuth: creds, ReadAuth: true})
	var challenges atomic.Int64
	up := startUpstream(t, http.StripPrefix(originBase, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			challenges.Add(1) // the origin answers these with 401
		}
		o.ServeHTTP(w, r)
	})))
	h := startHoard(t, t.TempDir(), mavenMount(up)...)

	project := copyProject(t)
	if err := mvn(t, project, mavenSettings(t, h.URL, creds), "package"); err != nil {
		t.Fatal(err)
	}
	assertTestsRan(t, filepath.Join(project, surefireReport))
	t.Logf("origin: %d requests, %d without credentials", o.Requests(), challenges.Load())

	// The cache now holds junit; a caller without the origin's credentials must still
	// be refused, whether it sends none or wrong ones.
	url := h.URL + "/maven/junit/junit/4.13.2/junit-4.13.2.jar"
	client := &http.Client{Timeout: time.Minute}
	for _, c := range []struct{ name, user, pass string }{{"anonymous", "", ""}, {"wrong password", "reader", "wrong"}} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if c.user != "" {
			req.SetBasicAuth(c.user, c.pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("%s GET %s of an artifact cached from a private upstream: 200, want 401", c.name, url)
		}
	}
	if got := getLikeMaven(t, url, creds); len(got) == 0 {
		t.Errorf("GET %s with credentials: empty body", url)
	}
}
