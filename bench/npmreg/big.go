package npmreg

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Real packuments are large (next is about 21 MB, typescript 10 MB, @types/node 9 MB)
// because every version repeats its manifest, and tools read only a few fields of
// it. BigRegistry serves generated documents of that shape, with tarballs that
// install, from memory, as the registry layout lays them out:
//
//	GET /NAME               full packument, or abbreviated with
//	                        Accept: application/vnd.npm.install-v1+json
//	GET /NAME/-/FILE.tgz    a version's tarball

// BigSpec shapes one generated package.
type BigSpec struct {
	Name     string
	Versions int // 3,000 versions of about 6 KB each come to about 20 MB
	// Deps are added to every version's dependencies (other packages the registry
	// serves), so installs pull a tree.
	Deps map[string]string
	// ReadmeBytes of top-level readme text (real documents carry one).
	ReadmeBytes int
	// TarballBase is where dist.tarball URLs point (BASE + NAME/-/FILE.tgz), for a
	// document served from another server's tree; empty: an address Hoard rewrites
	// and never fetches.
	TarballBase string
}

// BigRegistry is an http.Handler serving generated packages.
type BigRegistry struct {
	docs     map[string]bigDoc
	tarballs map[string][]byte // "NAME/-/FILE.tgz" -> bytes
	requests atomic.Int64      // every request served, for tests that count upstream work
	mu       sync.Mutex
	byPath   map[string]int // requests by escaped path
}

type bigDoc struct {
	full, abbreviated []byte
	etag              string
}

// NewBigRegistry generates every package of specs.
func NewBigRegistry(specs ...BigSpec) (*BigRegistry, error) {
	r := &BigRegistry{docs: map[string]bigDoc{}, tarballs: map[string][]byte{}, byPath: map[string]int{}}
	for _, s := range specs {
		if err := r.add(s); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Requests is how many requests the registry has answered.
func (r *BigRegistry) Requests() int64 { return r.requests.Load() }

// RequestsFor is how many requests the registry has answered for an escaped path.
func (r *BigRegistry) RequestsFor(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byPath[path]
}

// Packument returns a generated document as served (abbreviated or full).
func (r *BigRegistry) Packument(name string, abbreviated bool) []byte {
	if abbreviated {
		return r.docs[name].abbreviated
	}
	return r.docs[name].full
}

// Tarball returns a version's tarball.
func (r *BigRegistry) Tarball(name, version string) []byte {
	return r.tarballs[name+"/-/"+unscopedName(name)+"-"+version+".tgz"]
}

// Version is the i-th version's number; the last is the "latest" dist-tag.
func Version(i int) string { return fmt.Sprintf("%d.%d.%d", 1+i/1000, (i/10)%100, i%10) }

func (r *BigRegistry) add(s BigSpec) error {
	base := "http://registry.invalid/" // rewritten by Hoard: the host is never used
	if s.TarballBase != "" {
		base = strings.TrimSuffix(s.TarballBase, "/") + "/"
	}
	versions, abbrev := map[string]any{}, map[string]any{}
	times := map[string]string{"created": "2015-01-01T00:00:00.000Z"}
	t0 := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < s.Versions; i++ {
		v := Version(i)
		tgz, err := Package{Name: s.Name, Version: v, Dependencies: s.Deps}.Tarball()
		if err != nil {
			return err
		}
		file := unscopedName(s.Name) + "-" + v + ".tgz"
		r.tarballs[s.Name+"/-/"+file] = tgz
		sum := sha1.Sum(tgz)
		dist := map[string]any{
			"integrity": Integrity(tgz), "shasum": hex.EncodeToString(sum[:]),
			"tarball": base + s.Name + "/-/" + file, "fileCount": 2, "unpackedSize": 900 + i,
			"signatures": []map[string]string{{"keyid": "SHA256:generated", "sig": strings.Repeat("MEUCIQ", 16)}},
		}
		versions[v] = fullVersion(s, v, dist)
		abbrev[v] = map[string]any{"name": s.Name, "version": v, "dependencies": s.Deps, "dist": dist,
			"engines": map[string]string{"node": ">=14"}}
		times[v] = t0.Add(time.Duration(i) * time.Hour).Format("2006-01-02T15:04:05.000Z")
	}
	latest := Version(s.Versions - 1)
	times["modified"] = times[latest]
	tags := map[string]string{"latest": latest, "next": latest}
	full := map[string]any{"_id": s.Name, "name": s.Name, "dist-tags": tags, "versions": versions, "time": times,
		"description": "generated package of real shape", "license": "MIT",
		"readme":      strings.Repeat("A line of the readme, as long as real ones are. ", s.ReadmeBytes/48+1)[:s.ReadmeBytes],
		"maintainers": []map[string]string{{"name": "hoard", "email": "hoard@example.invalid"}}}
	short := map[string]any{"name": s.Name, "dist-tags": tags, "versions": abbrev, "modified": times["modified"]}
	fb, err := json.Marshal(full)
	if err != nil {
		return err
	}
	ab, err := json.Marshal(short)
	if err != nil {
		return err
	}
	r.docs[s.Name] = bigDoc{full: fb, abbreviated: ab, etag: fmt.Sprintf(`"%x"`, sha1.Sum(fb))}
	return nil
}

// devDeps is what every generated version lists as devDependencies: real manifests
// list dozens, and they are most of a full packument's bytes.
var devDeps = func() json.RawMessage {
	dev := map[string]string{}
	for i := 0; i < 140; i++ {
		dev[fmt.Sprintf("@types/dev-dependency-%02d", i)] = fmt.Sprintf("^%d.%d.0", i%7+1, i%5)
	}
	b, _ := json.Marshal(dev)
	return b
}()

var scripts = map[string]string{"build": "tsc -p tsconfig.build.json && node scripts/postbuild.js",
	"test": "jest --coverage --runInBand", "lint": "eslint . --ext .ts,.tsx --max-warnings 0"}

// fullVersion is a version as the full packument repeats it: the whole manifest.
func fullVersion(s BigSpec, v string, dist map[string]any) map[string]any {
	return map[string]any{
		"name": s.Name, "version": v, "description": "generated package of real shape", "main": "index.js",
		"license": "MIT", "dependencies": s.Deps, "devDependencies": devDeps, "scripts": scripts,
		"repository": map[string]string{"type": "git", "url": "git+https://example.invalid/" + s.Name + ".git"},
		"keywords":   []string{"generated", "fixture", "packument", "hoard"},
		"engines":    map[string]string{"node": ">=14"}, "gitHead": strings.Repeat("ab", 20),
		"_id": s.Name + "@" + v, "_nodeVersion": "20.11.0", "_npmVersion": "10.2.4",
		"_npmUser":    map[string]string{"name": "hoard", "email": "hoard@example.invalid"},
		"maintainers": []map[string]string{{"name": "hoard", "email": "hoard@example.invalid"}},
		"directories": map[string]string{}, "_hasShrinkwrap": false, "dist": dist,
	}
}

func unscopedName(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// ServeHTTP answers GET and HEAD for packuments and tarballs.
func (r *BigRegistry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.requests.Add(1)
	r.mu.Lock()
	r.byPath[req.URL.EscapedPath()]++
	r.mu.Unlock()
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		http.Error(w, `{"error":"method not allowed"}`, http.StatusMethodNotAllowed)
		return
	}
	path := strings.TrimPrefix(strings.Replace(req.URL.EscapedPath(), "%2f", "/", 1), "/")
	path = strings.Replace(path, "%2F", "/", 1)
	if tgz, ok := r.tarballs[path]; ok {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", fmt.Sprint(len(tgz)))
		w.Write(tgz)
		return
	}
	doc, ok := r.docs[path]
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"not found"}`))
		return
	}
	body, ct := doc.full, "application/json"
	if strings.Contains(req.Header.Get("Accept"), "application/vnd.npm.install-v1+json") {
		body, ct = doc.abbreviated, "application/vnd.npm.install-v1+json"
	}
	etag := doc.etag
	if ct != "application/json" {
		etag = strings.TrimSuffix(etag, `"`) + `-abbrev"`
	}
	w.Header().Set("ETag", etag)
	if req.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}
