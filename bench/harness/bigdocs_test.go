package harness

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hoard/bench/npmreg"
	"hoard/bench/origin"
)

// checkBigDocs reads what writeData put in root for the generated documents:
// sizes of real packuments, and tarballs whose bytes match the integrity their
// document declares, at URLs on the origin.
func checkBigDocs(t *testing.T, root, originURL string, cold int) {
	t.Helper()
	for _, c := range []struct {
		name     string
		min, max int64
	}{
		{strings.TrimPrefix(pathDoc20M, "/npm/"), 20 << 20, 24 << 20},
		{doc200K.name(0), 180 << 10, 220 << 10},
		{doc20K.name(0), 15 << 10, 25 << 10},
	} {
		fi, err := os.Stat(filepath.Join(root, "npm", c.name, docFile))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() < c.min || fi.Size() > c.max {
			t.Errorf("%s: %d bytes, want %d to %d", c.name, fi.Size(), c.min, c.max)
		}
	}
	b, err := os.ReadFile(filepath.Join(root, "npm", strings.TrimPrefix(pathDoc20M, "/npm/"), docFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Versions map[string]struct {
			Dist struct{ Tarball, Integrity string }
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Versions) != doc20M.versions {
		t.Fatalf("20 MB packument: %v, %d versions", err, len(doc.Versions))
	}
	paths := docTarballs(cold)
	if len(paths) != cold {
		t.Fatalf("%d tarballs for %d cold fetches", len(paths), cold)
	}
	for i, v := range docTarballVersions(cold) {
		tgz, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(paths[i])))
		if err != nil {
			t.Fatal(err)
		}
		d := doc.Versions[v].Dist
		if d.Tarball != originURL+paths[i] || d.Integrity != npmreg.Integrity(tgz) {
			t.Errorf("version %s: tarball %q integrity %q; want %q and the file's %q", v, d.Tarball, d.Integrity, originURL+paths[i], npmreg.Integrity(tgz))
		}
	}
	for _, p := range smallDocTarballs(cold) {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err != nil {
			t.Errorf("tarball of a 20 KB document: %v", err)
		}
	}
}

// The origin and static nginx serve a document kept in its directory at the
// document's own path; the tarballs stay at theirs.
func TestBigDocsThroughTheOrigin(t *testing.T) {
	root := t.TempDir()
	spec := dataSpec{ColdMeta: 1, OriginURL: "http://o"}
	if err := writeBigDocs(root, spec); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(origin.New(origin.Options{Root: root, DirIndex: docFile}))
	defer srv.Close()
	for _, p := range []string{doc20K.path(0), smallDocTarballs(1)[0], docTarballs(1)[0], pathDoc20M} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
	if !strings.Contains(nginxConf("/p", "127.0.0.1:1", root, "", "1"), "try_files $uri $uri/"+docFile+" =404;") {
		t.Error("static nginx does not look for a document in its directory")
	}
}

// What each cold row is labelled matches how the origin serves it: "unpaced"
// rows under the origin's full-speed prefixes, the others paced.
func TestColdKinds(t *testing.T) {
	h := &harness{cfg: Config{Cold: 3, ColdDocs: 2, ColdBlobs: 2}, ociUp: &Server{}, ociTokUp: &Server{}}
	counts := map[string]int{}
	for _, k := range h.coldKinds() {
		counts[k.name] = len(k.paths)
		for _, p := range k.paths {
			fast := false
			for _, pre := range unpaced {
				fast = fast || strings.HasPrefix(p, pre)
			}
			if want := strings.Contains(k.name, "unpaced") || strings.HasPrefix(k.name, "npm tarball"); fast != want {
				t.Errorf("%s: %s unpaced %v, want %v", k.name, p, fast, want)
			}
		}
	}
	for kind, want := range map[string]int{coldNpm200K: 3, coldNpm5M: 2, coldNpm20M: 2, coldTgz20K: 3, coldTgz20M: 3, coldBlobFast: 2, coldOCIToken: 3} {
		if counts[kind] != want {
			t.Errorf("%s: %d paths, want %d", kind, counts[kind], want)
		}
	}
	// Cold documents of 5 and 20 MB are listed with their sizes' shapes.
	n5, n20 := 0, 0
	for _, d := range bigDocs(dataSpec{ColdMeta: 1, ColdDocs: 2}) {
		switch d.spec.Versions {
		case doc5M.versions:
			n5++
		case doc20M.versions:
			n20++
		}
	}
	if n5 != 2 || n20 != 3 { // the warm document is one of the 20 MB ones
		t.Errorf("%d documents of 5 MB and %d of 20 MB, want 2 and 3", n5, n20)
	}
}
