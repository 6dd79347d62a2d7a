package main_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoard/bench/origin"
	"hoard/cache"
)

// TestKillLoop: SIGKILL hoard again and again at random points while clients fill
// and read a mix of Maven artifacts, checksums and metadata (revalidated every
// second) from a paced origin, restarting it on the same data dir each time. No
// body a client received as complete (a 200 read to its end without error) may
// differ from the origin's bytes. After the last kill, the next start leaves no
// temp file, every path is served whole, `hoard verify` finds nothing corrupt and
// every index entry names a blob holding exactly its bytes.
// HOARD_KILLS sets the number of kills (default 10).
func TestKillLoop(t *testing.T) {
	needE2E(t)
	kills := 10
	if v := os.Getenv("HOARD_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("HOARD_KILLS=%q: want a positive count", v)
		}
		kills = n
	}
	root := t.TempDir()
	// Enough artifacts that cold misses (fills) go on through every kill.
	files := writeKillCorpus(t, root, 12+8*kills)
	// 2 MiB/s per response: a large artifact's fill spans most kill intervals.
	o := origin.New(origin.Options{Root: root, Checksums: true, BytesPerSecond: 2 << 20})
	up := startUpstream(t, http.StripPrefix(originBase, o))
	data := t.TempDir()
	cfg := writeKillConfig(t, up.URL()+originBase)
	addr := freeAddr(t)

	ctx, stopClients := context.WithCancel(context.Background())
	tl := &killTally{cold: coldOrder(files)}
	var clients sync.WaitGroup
	for i := range 8 {
		clients.Add(1)
		go func() {
			defer clients.Done()
			killClient(ctx, uint64(i), "http://"+addr+"/maven/", files, tl)
		}()
	}
	rng := rand.New(rand.NewPCG(21, 0))
	leftByKills := 0
	for i := range kills {
		// Each run of the daemon gets its share of paths nobody read yet.
		tl.limit.Store(int64(len(tl.cold) * (i + 1) / kills))
		h := startHoardOn(t, addr, data, "--config", cfg)
		time.Sleep(time.Duration(150+rng.IntN(1200)) * time.Millisecond)
		h.Kill()
		leftByKills += len(readDir(t, filepath.Join(data, "tmp")))
		if i%10 == 9 {
			t.Logf("%d kills: %s", i+1, tl)
		}
	}
	stopClients()
	clients.Wait()
	t.Logf("after %d kills: %s; temp files left by the kills: %d", kills, tl, leftByKills)

	h := startHoardOn(t, addr, data, "--config", cfg)
	if left := readDir(t, filepath.Join(data, "tmp")); len(left) > 0 {
		t.Errorf("temp files left after the next start: %v", left)
	}
	checkAllServed(t, h.URL+"/maven/", files)
	h.Stop()
	tl.check(t)

	out, err := hoardCmd(t, "verify", "--data-dir", data)
	if err != nil || corruptCount.MatchString(out) {
		t.Fatalf("hoard verify: %v\n%s", err, out)
	}
	t.Logf("hoard verify: %s", strings.TrimSpace(out))
	checkIndexMatchesBlobs(t, data)
	out, err = hoardCmd(t, "gc", "--data-dir", data)
	if err != nil {
		t.Fatalf("hoard gc: %v\n%s", err, out)
	}
	t.Logf("hoard gc (blobs a kill left between rename and index write): %s", strings.TrimSpace(out))
}

// writeKillCorpus lays out artifacts of varied sizes, each with a
// maven-metadata.xml, and a SNAPSHOT (mutable) artifact; it returns every path a
// client reads (checksums included, which the origin computes) with its bytes.
func writeKillCorpus(t *testing.T, root string, artifacts int) map[string][]byte {
	t.Helper()
	sizes := []int{700, 16 << 10, 90 << 10, 200 << 10, 1 << 20, 2 << 20}
	src := rand.NewChaCha8([32]byte{'k', 'i', 'l', 'l'})
	files := map[string][]byte{}
	add := func(rel string, b []byte) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files[rel] = b
	}
	for i := range artifacts {
		a := fmt.Sprintf("a%d", i)
		body := make([]byte, sizes[i%len(sizes)]+i)
		src.Read(body)
		jar := fmt.Sprintf("kill/%s/1.%d/%s-1.%d.jar", a, i, a, i)
		add(jar, body)
		files[jar+".sha1"] = []byte(sha1Hex(body))
		add("kill/"+a+"/maven-metadata.xml", []byte(fmt.Sprintf(
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata><groupId>kill</groupId><artifactId>%s</artifactId>"+
				"<versioning><latest>1.%d</latest><release>1.%d</release><versions><version>1.%d</version></versions></versioning></metadata>\n",
			a, i, i, i)))
	}
	snap := make([]byte, 300<<10)
	src.Read(snap)
	add("kill/snap/1.0-SNAPSHOT/snap-1.0-SNAPSHOT.jar", snap)
	return files
}

func writeKillConfig(t *testing.T, upstream string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hoard.yaml")
	cfg := "mounts:\n  - name: maven\n    format: maven\n    upstream: \"" + upstream + "\"\n" +
		"    ttl:\n      metadata: 1s\n      snapshot: 1s\n"
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// killTally counts what clients saw. Only complete bodies are judged: a cut
// transfer or a refused connection is what a kill looks like to a client.
type killTally struct {
	cold                   []string     // paths not read yet, in the order clients take them
	next, limit            atomic.Int64 // cold[next] is the next to take, if below limit
	complete, cut, refused atomic.Int64
	mu                     sync.Mutex
	status                 map[int]int
	bad                    []string
}

func (k *killTally) String() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return fmt.Sprintf("%d complete bodies, %d cut, %d refused, other statuses %v, %d wrong, %d cold paths taken",
		k.complete.Load(), k.cut.Load(), k.refused.Load(), k.status, len(k.bad), k.next.Load())
}

func (k *killTally) note(status int, bad string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if bad != "" {
		k.bad = append(k.bad, bad)
		return
	}
	if k.status == nil {
		k.status = map[int]int{}
	}
	k.status[status]++
}

// check fails the test on any wrong body, and on a status that only a bug
// explains: a path the origin has is never missing, nor refused as bad.
func (k *killTally) check(t *testing.T) {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, b := range k.bad {
		t.Errorf("served as complete but wrong: %s", b)
	}
	for code, n := range k.status {
		if code < 500 {
			t.Errorf("%d responses with status %d", n, code)
		}
	}
	if k.complete.Load() == 0 {
		t.Errorf("no client received a complete body: the loop proved nothing")
	}
}

// killClient reads random paths until ctx ends, judging every complete body.
func killClient(ctx context.Context, seed uint64, base string, files map[string][]byte, tl *killTally) {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	rng := rand.New(rand.NewPCG(seed, 7))
	client := &http.Client{Timeout: 30 * time.Second}
	for ctx.Err() == nil {
		rel := paths[rng.IntN(len(paths))]
		// One request in four takes a path nobody read yet: a fill.
		if rng.IntN(4) == 0 {
			if i := tl.next.Load(); i < tl.limit.Load() && tl.next.CompareAndSwap(i, i+1) {
				rel = tl.cold[i]
			}
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+rel, nil)
		resp, err := client.Do(req)
		if err != nil {
			tl.refused.Add(1)
			time.Sleep(20 * time.Millisecond)
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case err != nil:
			tl.cut.Add(1)
		case resp.StatusCode != http.StatusOK:
			tl.note(resp.StatusCode, "")
		case !bytes.Equal(body, files[rel]):
			tl.note(0, fmt.Sprintf("%s: %d bytes (Content-Length %d), want %d", rel, len(body), resp.ContentLength, len(files[rel])))
		default:
			tl.complete.Add(1)
		}
	}
}

// coldOrder is every path in a fixed random order.
func coldOrder(files map[string][]byte) []string {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(paths), func(i, j int) { paths[i], paths[j] = paths[j], paths[i] })
	return paths
}

// checkAllServed reads every path once from a hoard nobody kills: each must come
// whole, whatever the kills left in the cache.
func checkAllServed(t *testing.T, base string, files map[string][]byte) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Minute}
	paths := make(chan string)
	var wg sync.WaitGroup
	for range 8 { // paths never filled still come from the paced origin
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rel := range paths {
				checkServed(t, client, base, rel, files[rel])
			}
		}()
	}
	for rel := range files {
		paths <- rel
	}
	close(paths)
	wg.Wait()
}

func checkServed(t *testing.T, client *http.Client, base, rel string, want []byte) {
	resp, err := client.Get(base + rel)
	if err != nil {
		t.Errorf("GET %s: %v", rel, err)
		return
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
		t.Errorf("GET %s after the kills: %s, %d bytes of %d, %v", rel, resp.Status, len(got), len(want), err)
	}
}

// checkIndexMatchesBlobs opens the stopped daemon's store read-only and checks
// that every index entry names a blob file of its size whose sha256 is its digest.
func checkIndexMatchesBlobs(t *testing.T, data string) {
	t.Helper()
	store, err := cache.Open(cache.Options{Dir: data, ReadOnly: true})
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	defer store.Close()
	keys, err := store.KeysWithPrefix("", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		e, err := store.Lookup(k)
		if err != nil {
			t.Errorf("index key %q does not read: %v", k, err)
			continue
		}
		hx := e.Digest.Hex()
		b, err := os.ReadFile(filepath.Join(data, "blobs", "sha256", hx[:2], hx))
		if err != nil {
			t.Errorf("entry %q: blob %s: %v", k, hx, err)
			continue
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != hx || int64(len(b)) != e.Size {
			t.Errorf("entry %q: blob %s holds %d bytes of sha256 %x, entry says %d", k, hx, len(b), sum, e.Size)
		}
	}
	t.Logf("index: %d entries, each naming a blob of its digest and size", len(keys))
}
