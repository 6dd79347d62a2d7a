package main_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// jarOrigin serves fixed jars and counts the requests for each path.
type jarOrigin struct {
	mu    sync.Mutex
	files map[string]string
	hits  map[string]int
}

func (o *jarOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	body, ok := o.files[r.URL.Path]
	o.hits[r.URL.Path]++
	o.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write([]byte(body))
}

func (o *jarOrigin) count(p string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hits[p]
}

// cacheResult fetches url and returns its X-Hoard-Cache, failing on anything but 200
// with the body wanted.
func cacheResult(t *testing.T, url, want string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != want {
		t.Fatalf("GET %s: %d %q, want 200 %q", url, resp.StatusCode, b, want)
	}
	return resp.Header.Get("X-Hoard-Cache")
}

func blobFile(data, content string) string {
	sum := sha256.Sum256([]byte(content))
	hx := hex.EncodeToString(sum[:])
	return filepath.Join(data, "blobs", "sha256", hx[:2], hx)
}

func lsKeys(t *testing.T, admin string, args ...string) []string {
	t.Helper()
	out, err := hoardCmd(t, append([]string{"ls", "--admin", admin, "--json"}, args...)...)
	if err != nil {
		t.Fatalf("hoard ls %v: %v\n%s", args, err, out)
	}
	var keys []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var e struct{ Mount, Key string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("hoard ls printed %q: %v", line, err)
		}
		keys = append(keys, e.Mount+"/"+e.Key)
	}
	return keys
}

// A purge of a package makes its next request a miss, while another package stays
// a hit and a blob that package shares with the purged one stays on disk.
func TestListAndPurge(t *testing.T) {
	needE2E(t)
	const shared, unique = "PK shared bytes", "PK a-2.0 bytes"
	origin := &jarOrigin{hits: map[string]int{}, files: map[string]string{
		"/com/acme/a/1.0/a-1.0.jar":       shared,
		"/com/acme/a/2.0/a-2.0.jar":       unique,
		"/org/other/b/1.0/b-1.0.jar":      shared,
		"/org/other/b/1.0/b-1.0.pom":      "<project/>",
		"/com/acme/tool/1/tool-1.jar":     "PK tool",
		"/org/other/b/maven-metadata.xml": "<metadata><versioning><versions><version>1.0</version></versions></versioning></metadata>",
	}}
	up := startUpstream(t, origin)
	data := t.TempDir()
	h := startHoard(t, data, "--mount", "maven=maven,"+up.URL(), "--mount", "other=maven,"+up.URL())
	for p, body := range origin.files {
		if got := cacheResult(t, h.URL+"/maven"+p, body); got != "miss" {
			t.Fatalf("first GET %s: X-Hoard-Cache %q", p, got)
		}
	}
	cacheResult(t, h.URL+"/other/com/acme/a/1.0/a-1.0.jar", shared)

	eventually(t, 10*time.Second, "every entry listed", func() bool { return len(lsKeys(t, h.AdminURL)) == 7 })
	got := strings.Join(lsKeys(t, h.AdminURL, "--mount", "maven", "com/acme/a"), " ")
	if got != "maven/com/acme/a/1.0/a-1.0.jar maven/com/acme/a/2.0/a-2.0.jar" {
		t.Errorf("hoard ls --mount maven com/acme/a: %s", got)
	}
	if got := lsKeys(t, h.AdminURL, "com/acme/*"); len(got) != 4 {
		t.Errorf("hoard ls com/acme/* across mounts: %v", got)
	}
	out, err := hoardCmd(t, "ls", "--admin", h.AdminURL, "--mount", "maven", "org/*")
	if err != nil || !strings.Contains(out, "org/other/b/1.0/b-1.0.pom") || !strings.Contains(out, "LAST ACCESS") {
		t.Errorf("hoard ls table: %v\n%s", err, out)
	}

	// --metadata-only takes the package's metadata and leaves its artifacts.
	out, err = hoardCmd(t, "purge", "--admin", h.AdminURL, "--mount", "maven", "--metadata-only", "org/other/*")
	if err != nil || !strings.Contains(out, "purge: 1 entries") {
		t.Fatalf("hoard purge --metadata-only: %v\n%s", err, out)
	}
	if got := strings.Join(lsKeys(t, h.AdminURL, "--mount", "maven", "org/other/*"), " "); got != "maven/org/other/b/1.0/b-1.0.jar maven/org/other/b/1.0/b-1.0.pom" {
		t.Errorf("after the metadata-only purge: %s", got)
	}

	out, err = hoardCmd(t, "purge", "--admin", h.AdminURL, "--mount", "maven", "com/acme/a")
	if err != nil || !strings.Contains(out, "purge: 2 entries") {
		t.Fatalf("hoard purge: %v\n%s", err, out)
	}
	if _, err := os.Stat(blobFile(data, unique)); !os.IsNotExist(err) {
		t.Errorf("the purged package's own blob is still on disk: %v", err)
	}
	if _, err := os.Stat(blobFile(data, shared)); err != nil {
		t.Errorf("a blob other entries use went with the purge: %v", err)
	}
	if got := cacheResult(t, h.URL+"/maven/org/other/b/1.0/b-1.0.jar", shared); got != "hit" {
		t.Errorf("the package sharing the purged one's blob: X-Hoard-Cache %q, want hit", got)
	}
	if got := cacheResult(t, h.URL+"/maven/com/acme/tool/1/tool-1.jar", "PK tool"); got != "hit" {
		t.Errorf("com/acme/tool, a package the pattern does not name: X-Hoard-Cache %q, want hit", got)
	}
	if got := cacheResult(t, h.URL+"/other/com/acme/a/1.0/a-1.0.jar", shared); got != "hit" {
		t.Errorf("the same package on another mount: X-Hoard-Cache %q, want hit", got)
	}
	if got := cacheResult(t, h.URL+"/maven/com/acme/a/2.0/a-2.0.jar", unique); got != "miss" {
		t.Errorf("the purged package: X-Hoard-Cache %q, want miss", got)
	}
	if n := origin.count("/com/acme/a/2.0/a-2.0.jar"); n != 2 {
		t.Errorf("the origin saw the purged jar %d times, want 2", n)
	}
	if n := origin.count("/org/other/b/1.0/b-1.0.jar"); n != 1 {
		t.Errorf("the origin saw the surviving jar %d times, want 1", n)
	}

	for _, bad := range [][]string{
		{"purge", "--admin", h.AdminURL, "--mount", "maven"},
		{"purge", "--admin", h.AdminURL, "com/acme/*"},
		{"purge", "--admin", h.AdminURL, "--mount", "nosuch", "x"},
		{"purge", "--admin", h.AdminURL, "--mount", "maven", "com/[acme"},
		{"ls", "--admin", h.AdminURL, "--mount", "nosuch"},
	} {
		if out, err := hoardCmd(t, bad...); err == nil {
			t.Errorf("hoard %v succeeded:\n%s", bad, out)
		}
	}
	out, err = hoardCmd(t, "purge", "--admin", h.AdminURL, "--mount", "other", "--all")
	if err != nil || !strings.Contains(out, "purge: 1 entries") {
		t.Errorf("hoard purge --all: %v\n%s", err, out)
	}
}

// The listing pages: each page holds at most limit entries and its cursor leads to
// the next, across mounts, with no entry seen twice.
func TestEntriesPaging(t *testing.T) {
	needE2E(t)
	origin := &jarOrigin{hits: map[string]int{}, files: map[string]string{}}
	for i := range 5 {
		origin.files[fmt.Sprintf("/g/p%d/1/p%d-1.jar", i, i)] = fmt.Sprintf("PK %d", i)
	}
	up := startUpstream(t, origin)
	h := startHoard(t, t.TempDir(), "--mount", "m2=maven,"+up.URL(), "--mount", "m1=maven,"+up.URL())
	for p, body := range origin.files {
		cacheResult(t, h.URL+"/m2"+p, body)
		cacheResult(t, h.URL+"/m1"+p, body)
	}
	seen := map[string]bool{}
	var order []string
	eventually(t, 10*time.Second, "all ten entries paged through", func() bool {
		clear(seen)
		order = order[:0]
		after := ""
		for range 20 {
			resp, err := http.Get(h.AdminURL + "/api/entries?limit=3&after=" + after)
			if err != nil {
				t.Fatal(err)
			}
			var page struct {
				Entries []struct{ Mount, Key string }
				Next    string
			}
			json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if len(page.Entries) > 3 {
				t.Fatalf("a page of %d entries with limit=3", len(page.Entries))
			}
			for _, e := range page.Entries {
				k := e.Mount + "/" + e.Key
				if seen[k] {
					t.Fatalf("%s listed twice", k)
				}
				seen[k] = true
				order = append(order, k)
			}
			if page.Next == "" {
				break
			}
			after = page.Next
		}
		return len(seen) == 10
	})
	if !strings.HasPrefix(order[0], "m2/") || !strings.HasPrefix(order[9], "m1/") {
		t.Errorf("mounts not listed in their configured order: %v", order)
	}
	if s := statusOf(t, h.AdminURL+"/api/entries?limit=0"); s != 400 {
		t.Errorf("limit=0: status %d, want 400", s)
	}
}
