package proxy

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"hoard/configs"
	"hoard/formats/oci"
)

// tagRegistry is a minimal anonymous OCI upstream whose tags can be moved:
// manifests by digest stay served after their tag moves on, as a registry's do.
type tagRegistry struct {
	srv *httptest.Server

	mu        sync.Mutex
	manifests map[string][]byte // digest -> manifest
	tags      map[string]string // tag -> digest
	blobs     map[string][]byte
}

func newTagRegistry(t *testing.T) *tagRegistry {
	g := &tagRegistry{manifests: map[string][]byte{}, tags: map[string]string{}, blobs: map[string][]byte{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

// push stores an image whose config states created, tags it, and returns its digest.
func (g *tagRegistry) push(tag string, created time.Time, marker string) string {
	config, _ := json.Marshal(map[string]any{"created": created.UTC().Format(time.RFC3339), "os": marker})
	cd := "sha256:" + digestHex(config)
	m, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": oci.MediaOCIManifest,
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(config)},
		"layers": []any{}})
	d := "sha256:" + digestHex(m)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.blobs[cd], g.manifests[d], g.tags[tag] = config, m, d
	return d
}

func (g *tagRegistry) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := r.URL.Path
	if p == "/v2/" {
		return
	}
	if _, ref, ok := strings.Cut(p, "/manifests/"); ok {
		d := ref
		if !strings.HasPrefix(ref, "sha256:") {
			d = g.tags[ref]
		}
		m, ok := g.manifests[d]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}`))
			return
		}
		w.Header().Set("Content-Type", oci.MediaOCIManifest)
		w.Header().Set("Docker-Content-Digest", d)
		if r.Method != http.MethodHead {
			w.Write(m)
		}
		return
	}
	if strings.HasSuffix(p, "/tags/list") {
		var tags []string
		for t := range g.tags {
			tags = append(tags, t)
		}
		json.NewEncoder(w).Encode(map[string]any{"name": "lib/img", "tags": tags})
		return
	}
	if _, ref, ok := strings.Cut(p, "/blobs/"); ok {
		if b, ok := g.blobs[ref]; ok {
			w.Write(b)
			return
		}
	}
	http.NotFound(w, r)
}

func policyOCI(t *testing.T, g *tagRegistry, p configs.Policy) (string, *fakeClock) {
	srv := ociServer(t, g.srv.URL, func(c *configs.Config) { c.Mounts[0].Policy = p })
	clock := &fakeClock{now: time.Now()}
	srv.engine.now = clock.Now
	for _, m := range srv.mounts {
		for _, u := range m.upstreams {
			u.SetClock(clock.Now)
		}
	}
	hs := httptest.NewServer(settled(srv))
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.WaitFills(ctx)
	})
	return hs.URL + "/v2/m/lib/img", clock
}

// A tag moved to a digest younger than min_age keeps resolving to the digest it
// had before; the young digest pulled directly is DENIED naming the rule; once
// old enough the tag resolves to it.
func TestPolicyOCITagKeepsPreviousDigest(t *testing.T) {
	g := newTagRegistry(t)
	old := g.push("v1", time.Now().AddDate(0, -1, 0), "old")
	base, clock := policyOCI(t, g, configs.Policy{MinAge: configs.Age(time.Hour)})
	acc := map[string]string{"Accept": ociAccept}
	if resp, _ := ociDo(t, "GET", base+"/manifests/v1", acc); resp.StatusCode != 200 || resp.Header.Get("Docker-Content-Digest") != old {
		t.Fatalf("baseline: %d %s", resp.StatusCode, resp.Header.Get("Docker-Content-Digest"))
	}
	young := g.push("v1", time.Now().AddDate(0, -1, 0), "young") // built long ago, published now
	clock.Advance(time.Second)
	for _, method := range []string{"GET", "HEAD"} {
		resp, body := ociDo(t, method, base+"/manifests/v1", acc)
		if resp.StatusCode != 200 || resp.Header.Get("Docker-Content-Digest") != old {
			t.Fatalf("%s of the moved tag: %d digest %s, want the previous %s", method, resp.StatusCode, resp.Header.Get("Docker-Content-Digest"), old)
		}
		if method == "GET" && "sha256:"+digestHex(body) != old {
			t.Fatalf("body is not the previous manifest")
		}
		if h := resp.Header.Get(hiddenHeader); !strings.HasPrefix(h, young+" (min_age 1h0m0s)") {
			t.Errorf("%s = %q", hiddenHeader, h)
		}
	}
	resp, body := ociDo(t, "GET", base+"/manifests/"+young, acc)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), `"DENIED"`) || !strings.Contains(string(body), "min_age") ||
		resp.Header.Get(policyHeader) != "min_age 1h0m0s" {
		t.Fatalf("young digest: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	if resp, _ := ociDo(t, "GET", base+"/manifests/"+old, acc); resp.StatusCode != 200 {
		t.Errorf("the previous digest by digest: %d", resp.StatusCode)
	}
	clock.Advance(2 * time.Hour)
	if resp, _ := ociDo(t, "GET", base+"/manifests/v1", acc); resp.Header.Get("Docker-Content-Digest") != young {
		t.Errorf("after 2h the tag resolves to %s, want %s", resp.Header.Get("Docker-Content-Digest"), young)
	}
}

// A tag first seen with a config created too recently has no earlier digest to
// fall back on: DENIED naming the rule. An exempt repository is served.
func TestPolicyOCIBaselineDatedByCreated(t *testing.T) {
	g := newTagRegistry(t)
	g.push("v1", time.Now().Add(-time.Minute), "fresh")
	base, _ := policyOCI(t, g, configs.Policy{MinAge: configs.Age(time.Hour)})
	resp, body := ociDo(t, "GET", base+"/manifests/v1", map[string]string{"Accept": ociAccept})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), `"DENIED"`) || resp.Header.Get(policyHeader) != "min_age 1h0m0s" {
		t.Fatalf("fresh baseline: %d %s", resp.StatusCode, body)
	}
	exempt, _ := policyOCI(t, g, configs.Policy{MinAge: configs.Age(time.Hour), MinAgeExempt: []string{"lib/*"}})
	if resp, _ := ociDo(t, "GET", exempt+"/manifests/v1", map[string]string{"Accept": ociAccept}); resp.StatusCode != 200 {
		t.Errorf("exempt repository: %d", resp.StatusCode)
	}
}

// Tag patterns: a denied tag is DENIED by name and leaves the tag list.
func TestPolicyOCITagPatterns(t *testing.T) {
	g := newTagRegistry(t)
	g.push("v1", time.Now().AddDate(-1, 0, 0), "a")
	g.push("v9-rc1", time.Now().AddDate(-1, 0, 0), "b")
	base, _ := policyOCI(t, g, configs.Policy{Deny: []string{"lib/img@*-rc*"}})
	resp, body := ociDo(t, "GET", base+"/manifests/v9-rc1", map[string]string{"Accept": ociAccept})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), `"DENIED"`) || resp.Header.Get(policyHeader) != "deny lib/img@*-rc*" {
		t.Fatalf("denied tag: %d %s", resp.StatusCode, body)
	}
	if resp, _ := ociDo(t, "GET", base+"/manifests/v1", map[string]string{"Accept": ociAccept}); resp.StatusCode != 200 {
		t.Errorf("allowed tag: %d", resp.StatusCode)
	}
	resp, body = ociDo(t, "GET", base+"/tags/list", nil)
	if resp.StatusCode != 200 || strings.Contains(string(body), "v9-rc1") || !strings.Contains(string(body), `"v1"`) {
		t.Errorf("tag list: %d %s", resp.StatusCode, body)
	}
}

// A tag first seen in a repository Hoard already knows is dated by its config's
// created; one whose config states none (the epoch) counts as new.
func TestPolicyOCINewTagOfKnownRepository(t *testing.T) {
	g := newTagRegistry(t)
	g.push("v1", time.Now().AddDate(0, -1, 0), "a")
	base, clock := policyOCI(t, g, configs.Policy{MinAge: configs.Age(time.Hour)})
	acc := map[string]string{"Accept": ociAccept}
	if resp, _ := ociDo(t, "GET", base+"/manifests/v1", acc); resp.StatusCode != 200 {
		t.Fatalf("baseline: %d", resp.StatusCode)
	}
	clock.Advance(time.Second)
	g.push("v2", time.Now().AddDate(0, -1, 0), "b")
	if resp, _ := ociDo(t, "GET", base+"/manifests/v2", acc); resp.StatusCode != 200 {
		t.Errorf("a new tag built a month ago: %d", resp.StatusCode)
	}
	g.push("v3", time.Unix(0, 0), "c")
	resp, body := ociDo(t, "GET", base+"/manifests/v3", acc)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), `"DENIED"`) {
		t.Errorf("a new tag with no creation time: %d %s", resp.StatusCode, body)
	}
}
