package main_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hoard/bench/origin"
	"hoard/cache/fleet"
	"hoard/cache/fleet/fleettest"
)

// fleet is three hoard nodes sharing one versitygw bucket, in front of one origin.
type fleetSetup struct {
	nodes  []*hoardProc
	origin *origin.Origin
	s3     *fleettest.Server
	files  map[string][]byte // by path under the origin's root
	cred   string            // the credentials file the nodes read
}

// config writes a node's configuration: cache.blob_store on the fleet's bucket,
// with extra lines under blob_store.
func (f *fleetSetup) config(t *testing.T, node, extra string) string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "hoard.yaml")
	yaml := fmt.Sprintf(`cache:
  blob_store:
    type: s3
    endpoint: %q
    bucket: %s
    prefix: fleet
    path_style: true
    credentials: "file:%s"
    node: %s
    lease_ttl: 2s
%s`, f.s3.Endpoint, f.s3.Bucket, f.cred, node, extra)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startFleet writes files into an origin paced at bytesPerSecond (0: line rate)
// and starts n nodes whose cache.blob_store is one bucket on versitygw.
func startFleet(t *testing.T, n int, bytesPerSecond int64, files map[string][]byte) *fleetSetup {
	t.Helper()
	needE2E(t)
	s3 := fleettest.Start(t)
	root := t.TempDir()
	for rel, b := range files {
		os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755)
		if err := os.WriteFile(filepath.Join(root, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := origin.New(origin.Options{Root: root, Checksums: true, BytesPerSecond: bytesPerSecond})
	up := startUpstream(t, http.StripPrefix(originBase, o))
	cred := filepath.Join(t.TempDir(), "s3-credentials")
	if err := os.WriteFile(cred, []byte(s3.Credentials()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &fleetSetup{origin: o, s3: s3, files: files, cred: cred}
	for i := range n {
		cfg := f.config(t, fmt.Sprintf("node-%c", 'a'+i), "")
		f.nodes = append(f.nodes, startHoard(t, t.TempDir(), append([]string{"--config", cfg}, mavenMount(up)...)...))
	}
	return f
}

// bucketFiles lists the objects the tier wrote, as versitygw's posix backend
// keeps them: one file per object under the bucket's directory.
func (f *fleetSetup) bucketFiles(t *testing.T, under string) []string {
	t.Helper()
	var found []string
	dir := filepath.Join(f.s3.Dir, f.s3.Bucket, "fleet", under)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(filepath.Join(f.s3.Dir, f.s3.Bucket, "fleet"), p)
			found = append(found, rel)
		}
		return nil
	})
	return found
}

// blobFile and entryFile are where the tier keeps an artifact's blob and its
// entry record (the record named by the sha256 of the cache key).
func s3BlobFile(content []byte) string {
	sum := sha256.Sum256(content)
	hx := hex.EncodeToString(sum[:])
	return filepath.Join("sha256", hx[:2], hx)
}

func s3EntryFile(cacheKey string) string {
	sum := sha256.Sum256([]byte(cacheKey))
	hx := hex.EncodeToString(sum[:])
	return filepath.Join("entries", hx[:2], hx)
}

func (f *fleetSetup) has(obj string) bool {
	_, err := os.Stat(filepath.Join(f.s3.Dir, f.s3.Bucket, "fleet", obj))
	return err == nil
}

// awaitPublished waits for a node to publish an artifact: it does so once its
// clients have every byte, so a test that wants the next node to hit waits.
func (f *fleetSetup) awaitPublished(t *testing.T, content []byte, cacheKey string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !f.has(s3BlobFile(content)) || !f.has(s3EntryFile(cacheKey)) {
		if time.Now().After(deadline) {
			t.Fatalf("%s not published to the bucket within 30s (bucket: %v)", cacheKey, f.bucketFiles(t, ""))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(t *testing.T, client *http.Client, url string) ([]byte, *http.Response) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %d bytes, %v", url, resp.Status, len(b), err)
	}
	return b, resp
}

func randomBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{'f', 'l', 'e', 'e', 't', seed}).Read(b)
	return b
}

// A fill on node A is a hit on B and C: the origin is asked once.
func TestFleetFillIsHitOnOtherNodes(t *testing.T) {
	const rel = "com/acme/lib/1.0/lib-1.0.jar"
	want := randomBytes(3<<20, 1)
	f := startFleet(t, 3, 0, map[string][]byte{rel: want})
	client := &http.Client{Timeout: time.Minute}
	got, resp := get(t, client, f.nodes[0].URL+"/maven/"+rel)
	if !bytes.Equal(got, want) || resp.Header.Get("X-Hoard-Cache") != "miss" {
		t.Fatalf("node A: %d bytes, X-Hoard-Cache %q", len(got), resp.Header.Get("X-Hoard-Cache"))
	}
	f.awaitPublished(t, want, "maven/"+rel)
	for _, node := range f.nodes[1:] {
		got, resp := get(t, client, node.URL+"/maven/"+rel)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s served %d other bytes", node.URL, len(got))
		}
		if c := resp.Header.Get("X-Hoard-Cache"); c != "hit" {
			t.Errorf("%s: X-Hoard-Cache %q, want hit (from the shared tier)", node.URL, c)
		}
	}
	if n := f.origin.RequestsFor("/" + rel); n != 1 {
		t.Fatalf("origin asked %d times for %s across three nodes, want 1", n, rel)
	}
}

// 200 clients spread over three nodes ask for one cold blob at once: one fill
// upstream, whichever node leads; the others wait on its lease and import it.
func TestFleetHerdOnOneColdBlob(t *testing.T) {
	const rel = "com/acme/herd/2.0/herd-2.0.jar"
	want := randomBytes(4<<20, 2)
	// Paced so every client arrives while the first fill still runs.
	f := startFleet(t, 3, 8<<20, map[string][]byte{rel: want})
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := map[string]int{}
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(f.nodes[i%3].URL + "/maven/" + rel)
			if err != nil {
				mu.Lock()
				bad["error: "+err.Error()]++
				mu.Unlock()
				return
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(b, want) {
				mu.Lock()
				bad[fmt.Sprintf("%s, %d bytes, %v", resp.Status, len(b), err)]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("clients that did not get the blob: %v", bad)
	}
	n := f.origin.RequestsFor("/" + rel)
	t.Logf("200 clients over 3 nodes, one cold blob: %d upstream GETs", n)
	if n != 1 {
		t.Fatalf("origin asked %d times, want 1 (the lease coalesces the nodes)", n)
	}
}

// kill -9 of the node filling a blob leaves nothing half-written in the bucket;
// another node takes the dead node's lease over once it is unrenewed and fills
// the blob whole.
func TestFleetNodeKilledMidFill(t *testing.T) {
	const rel = "com/acme/big/3.0/big-3.0.jar"
	want := randomBytes(20<<20, 3)
	f := startFleet(t, 2, 4<<20, map[string][]byte{rel: want})
	client := &http.Client{Timeout: 2 * time.Minute}
	resp, err := client.Get(f.nodes[0].URL + "/maven/" + rel)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 1<<20)); err != nil {
		t.Fatalf("no first MiB: %v", err)
	}
	f.nodes[0].Kill()
	resp.Body.Close()
	// (The jar's .sha1, a small fill of its own, may be there, whole.)
	if f.has(s3BlobFile(want)) || f.has(s3EntryFile("maven/"+rel)) {
		t.Fatalf("a killed fill left its blob or record in the bucket: %v", f.bucketFiles(t, ""))
	}
	if leases := f.bucketFiles(t, "leases"); len(leases) != 1 {
		t.Fatalf("leases after the kill: %v, want the dead node's one", leases)
	}
	got, _ := get(t, client, f.nodes[1].URL+"/maven/"+rel)
	if !bytes.Equal(got, want) {
		t.Fatalf("node B served %d bytes sha256 %x after the takeover", len(got), sha256.Sum256(got))
	}
	if n := f.origin.RequestsFor("/" + rel); n != 2 {
		t.Fatalf("origin asked %d times, want 2 (the killed fill and the takeover)", n)
	}
	f.awaitPublished(t, want, "maven/"+rel)
	b, err := os.ReadFile(filepath.Join(f.s3.Dir, f.s3.Bucket, "fleet", s3BlobFile(want)))
	if err != nil || !bytes.Equal(b, want) {
		t.Fatalf("the blob in the bucket is not the artifact: %d bytes, %v", len(b), err)
	}
}

// hoard gc-shared, with nodes running: a blob no record references goes once
// past the grace period; a blob a record references stays, however old.
func TestFleetSharedGC(t *testing.T) {
	const rel = "com/acme/kept/1.0/kept-1.0.jar"
	want := randomBytes(256<<10, 4)
	f := startFleet(t, 1, 0, map[string][]byte{rel: want})
	get(t, &http.Client{Timeout: time.Minute}, f.nodes[0].URL+"/maven/"+rel)
	f.awaitPublished(t, want, "maven/"+rel)
	bucket, err := fleet.NewS3Bucket(context.Background(), fleet.S3Options{Endpoint: f.s3.Endpoint, Bucket: f.s3.Bucket,
		Prefix: "fleet", PathStyle: true, Credentials: "file:" + f.cred})
	if err != nil {
		t.Fatal(err)
	}
	orphan := []byte("a blob no record names")
	if err := bucket.Put(context.Background(), s3BlobFile(orphan), bytes.NewReader(orphan), int64(len(orphan)), fleet.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond) // past the 1s grace below, at the server's one-second resolution
	out, err := hoardCmd(t, "gc-shared", "--config", f.config(t, "gc", "    gc_grace: 1s\n"))
	if err != nil {
		t.Fatalf("hoard gc-shared: %v\n%s", err, out)
	}
	t.Logf("%s", strings.TrimSpace(out))
	if f.has(s3BlobFile(orphan)) {
		t.Errorf("the unreferenced blob is still there:\n%s", out)
	}
	if !f.has(s3BlobFile(want)) || !f.has(s3EntryFile("maven/"+rel)) {
		t.Errorf("gc-shared removed a referenced blob or its record:\n%s", out)
	}
	if !strings.Contains(out, "removed 1 unreferenced") {
		t.Errorf("gc-shared's report: %s", out)
	}
}
