package proxy

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/cache/fleet"
	"hoard/formats"
	"hoard/formats/maven"
)

// sharedNode is a Hoard server whose store sits in front of bucket, as one node
// of a fleet: nodes made on the same bucket share what they fill.
func sharedNode(t *testing.T, o *origin, bucket fleet.Bucket, name string) (*httptest.Server, *fleet.Tier) {
	t.Helper()
	dir := t.TempDir()
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	tier, err := fleet.New(fleet.Options{Bucket: bucket, Store: store, Node: name})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(dir, o.srv.URL)
	fmts := map[string]formats.Format{"maven": maven.New()}
	if err := cfg.Validate(func(f string) bool { _, ok := fmts[f]; return ok }); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Config: cfg, Store: store, Formats: fmts, Logger: zerolog.Nop(), Shared: tier})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(settled(srv))
	t.Cleanup(hs.Close)
	return hs, tier
}

func TestSharedFillOnOneNodeIsHitOnAnother(t *testing.T) {
	o := newOrigin(t)
	body := bytes.Repeat([]byte("jar"), 100_000)
	o.publish(jarPath, body)
	bucket := fleet.NewMemoryBucket()
	a, tierA := sharedNode(t, o, bucket, "a")
	b, tierB := sharedNode(t, o, bucket, "b")
	if r := mustGet(t, a.URL+"/maven"+jarPath, body); r.header.Get("X-Hoard-Cache") != "miss" {
		t.Fatalf("node a: X-Hoard-Cache %q", r.header.Get("X-Hoard-Cache"))
	}
	// Node a publishes once its client has every byte, then drops its lease;
	// node b asked before that would wait on the lease and answer "miss" (still
	// one upstream fetch).
	waitFor(t, "node a's publish", func() bool {
		keys := strings.Join(bucket.Keys(), " ")
		return tierA.Stats().Published > 0 && !strings.Contains(keys, "leases/")
	})
	r := mustGet(t, b.URL+"/maven"+jarPath, body)
	if c := r.header.Get("X-Hoard-Cache"); c != "hit" {
		t.Errorf("node b: X-Hoard-Cache %q, want hit", c)
	}
	if n := o.count(jarPath); n != 1 {
		t.Errorf("origin asked %d times for the jar by two nodes, want 1", n)
	}
	if s := tierB.Stats(); s.Imported != 1 {
		t.Errorf("node b's tier: %+v", s)
	}
	// Metadata stays per node: each asks the origin itself.
	o.add(metaPath, []byte("<metadata/>"))
	get(t, a.URL+"/maven"+metaPath)
	get(t, b.URL+"/maven"+metaPath)
	if n := o.count(metaPath); n != 2 {
		t.Errorf("metadata fetched %d times by two nodes, want 2 (it is not shared)", n)
	}
}

// Content one node fetched with a caller's credentials is private on every
// node: another node imports it, and still lets only a caller the upstream
// accepts read it.
func TestSharedPrivateEntryIsCheckedOnEveryNode(t *testing.T) {
	o := newOrigin(t)
	body := []byte("private jar bytes")
	const good = "Basic cmVhZGVyOnB3" // reader:pw
	o.fault(jarPath, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != good {
			w.Header().Set("WWW-Authenticate", `Basic realm="origin"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/java-archive")
		w.Write(body)
	})
	bucket := fleet.NewMemoryBucket()
	a, _ := sharedNode(t, o, bucket, "a")
	b, tierB := sharedNode(t, o, bucket, "b")
	withAuth := func(v string) http.Header { return http.Header{"Authorization": {v}} }
	if r := do(t, http.MethodGet, a.URL+"/maven"+jarPath, nil, withAuth(good)); r.status != 200 || !bytes.Equal(r.body, body) {
		t.Fatalf("node a with credentials: %d", r.status)
	}
	if r := get(t, b.URL+"/maven"+jarPath); r.status == http.StatusOK {
		t.Fatalf("node b served private content to an anonymous caller")
	}
	if r := do(t, http.MethodGet, b.URL+"/maven"+jarPath, nil, withAuth("Basic d3Jvbmc6d3Jvbmc=")); r.status == http.StatusOK {
		t.Fatalf("node b served private content to a caller the upstream refuses")
	}
	if r := do(t, http.MethodGet, b.URL+"/maven"+jarPath, nil, withAuth(good)); r.status != 200 || !bytes.Equal(r.body, body) {
		t.Fatalf("node b with credentials: %d", r.status)
	}
	if s := tierB.Stats(); s.Imported == 0 {
		t.Errorf("node b never imported the private entry, so its check was not what refused: %+v", s)
	}
}
