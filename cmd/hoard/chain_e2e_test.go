package main_test

// Hoard in front of Hoard: an edge whose maven mount's upstream is a regional
// Hoard, whose upstream is the origin. The real mvn builds through the edge.

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hoard/bench/origin"
)

// chainConfig writes a configuration with one maven mount on upstream, whose
// metadata lives one second: the stale paths are reached without waiting.
func chainConfig(t *testing.T, upstream string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hoard.yaml")
	cfg := "mounts:\n  - name: maven\n    format: maven\n    upstream: \"" + upstream + "\"\n" +
		"    ttl:\n      metadata: 1s\n      snapshot: 1s\n"
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// requestsIn counts the requests for path in a hoard's access log.
func requestsIn(t *testing.T, logPath, path string) int {
	t.Helper()
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), `"path":"`+path+`"`)
}

type chain struct {
	origin         *origin.Origin
	up             *upstream
	regional, edge *hoardProc
	edgeData       string
	edgeConfig     string
}

// startChain serves Debian's tree plus extra files (under a write dir that
// overlays it) from the origin, with a regional and an edge Hoard in front.
func startChain(t *testing.T, opts origin.Options, extra map[string][]byte) *chain {
	t.Helper()
	opts.WriteDir = t.TempDir()
	for rel, b := range extra {
		os.MkdirAll(filepath.Join(opts.WriteDir, filepath.Dir(rel)), 0o755)
		if err := os.WriteFile(filepath.Join(opts.WriteDir, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o, up := mavenOrigin(t, opts)
	c := &chain{origin: o, up: up, edgeData: t.TempDir()}
	c.regional = startHoard(t, t.TempDir(), "--config", chainConfig(t, up.URL()+originBase))
	c.edgeConfig = chainConfig(t, c.regional.URL+"/maven")
	c.edge = startHoard(t, c.edgeData, "--config", c.edgeConfig)
	return c
}

func TestChainMavenBuildHerdAndOffline(t *testing.T) {
	requireMaven(t)
	const jar = "com/acme/herd/1.0/herd-1.0.jar"
	const meta = "com/acme/herd/maven-metadata.xml"
	jarBytes := randomBytes(2<<20, 7)
	metaBytes := []byte(`<?xml version="1.0" encoding="UTF-8"?><metadata><groupId>com.acme</groupId><artifactId>herd</artifactId>` +
		`<versioning><latest>1.0</latest><release>1.0</release><versions><version>1.0</version></versions></versioning></metadata>`)
	c := startChain(t, origin.Options{BytesPerSecond: 4 << 20}, map[string][]byte{jar: jarBytes, meta: metaBytes})
	client := &http.Client{Timeout: time.Minute}

	if !t.Run("cold build through the edge", func(t *testing.T) {
		project := copyProject(t)
		if err := mvn(t, project, mavenSettings(t, c.edge.URL, ""), "package"); err != nil {
			t.Fatal(err)
		}
		assertTestsRan(t, filepath.Join(project, surefireReport))
	}) {
		return
	}

	t.Run("the edge's herd is one request to the regional", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan string, 50)
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := client.Get(c.edge.URL + "/maven/" + jar)
				if err != nil {
					errs <- err.Error()
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || string(b) != string(jarBytes) {
					errs <- fmt.Sprintf("%s, %d bytes, %v", resp.Status, len(b), err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		if n := requestsIn(t, c.regional.LogPath, "/maven/"+jar); n != 1 {
			t.Errorf("50 clients at the edge: the regional saw %d requests for the jar, want 1", n)
		}
		if n := c.origin.RequestsFor("/" + jar); n != 1 {
			t.Errorf("the origin saw %d requests for the jar, want 1", n)
		}
	})

	t.Run("stale propagates from the regional", func(t *testing.T) {
		get(t, client, c.edge.URL+"/maven/"+meta)
		time.Sleep(1500 * time.Millisecond) // past both TTLs
		c.up.Close()
		defer c.up.Start()
		_, resp := get(t, client, c.edge.URL+"/maven/"+meta)
		if w := resp.Header.Get("Warning"); w == "" {
			t.Errorf("the edge served metadata the regional could only serve stale without a Warning (X-Hoard-Cache %q)",
				resp.Header.Get("X-Hoard-Cache"))
		} else {
			t.Logf("edge: X-Hoard-Cache %q, Warning %q", resp.Header.Get("X-Hoard-Cache"), w)
		}
	})

	t.Run("edge offline, regional up", func(t *testing.T) {
		c.edge.Stop()
		c.edge = startHoard(t, c.edgeData, "--config", c.edgeConfig, "--offline")
		before := requestsIn(t, c.regional.LogPath, "")
		project := copyProject(t)
		if err := mvn(t, project, mavenSettings(t, c.edge.URL, ""), "package"); err != nil {
			t.Fatalf("an offline edge must serve the build it has cached: %v", err)
		}
		assertTestsRan(t, filepath.Join(project, surefireReport))
		if after := requestsIn(t, c.regional.LogPath, ""); after != before {
			t.Errorf("the offline edge sent %d requests to the regional", after-before)
		}
	})

	t.Run("regional and origin down", func(t *testing.T) {
		c.edge.Stop()
		c.regional.Stop()
		c.up.Close()
		c.edge = startHoard(t, c.edgeData, "--config", c.edgeConfig)
		project := copyProject(t)
		if err := mvn(t, project, mavenSettings(t, c.edge.URL, ""), "package"); err != nil {
			t.Fatalf("with everything behind it down, the edge must serve the build it has cached: %v", err)
		}
		assertTestsRan(t, filepath.Join(project, surefireReport))
		_, resp := get(t, client, c.edge.URL+"/maven/"+meta)
		if resp.Header.Get("Warning") == "" || resp.Header.Get("X-Hoard-Cache") != "stale" {
			t.Errorf("metadata with nothing upstream: X-Hoard-Cache %q, Warning %q; want stale with a Warning",
				resp.Header.Get("X-Hoard-Cache"), resp.Header.Get("Warning"))
		}
	})
}

// Credentials pass through both tiers, and content fetched with them stays
// private at both: an anonymous caller gets the challenge, not the bytes.
func TestChainCredentialsAndPrivateMarks(t *testing.T) {
	needE2E(t)
	const jar = "com/acme/secret/1.0/secret-1.0.jar"
	c := startChain(t, origin.Options{RequireAuth: "reader:pw", ReadAuth: true}, map[string][]byte{jar: randomBytes(100<<10, 8)})
	client := &http.Client{Timeout: time.Minute}
	do := func(base, user, pass string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, base+"/maven/"+jar, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if r := do(c.edge.URL, "", ""); r.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("anonymous at the edge before any fill: %s, WWW-Authenticate %q; want 401 with a Basic challenge",
			r.Status, r.Header.Get("WWW-Authenticate"))
	}
	if r := do(c.edge.URL, "reader", "pw"); r.StatusCode != http.StatusOK {
		t.Fatalf("with the reader's credentials through both tiers: %s", r.Status)
	}
	for name, base := range map[string]string{"edge": c.edge.URL, "regional": c.regional.URL} {
		if r := do(base, "", ""); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous at the %s after the fill: %s, X-Hoard-Cache %q; want 401 (the private mark)", name, r.Status, r.Header.Get("X-Hoard-Cache"))
		}
		if r := do(base, "reader", "wrong"); r.StatusCode == http.StatusOK {
			t.Errorf("wrong password at the %s after the fill: %s", name, r.Status)
		}
	}
	if r := do(c.edge.URL, "reader", "pw"); r.StatusCode != http.StatusOK {
		t.Errorf("the reader again at the edge: %s", r.Status)
	}
}
