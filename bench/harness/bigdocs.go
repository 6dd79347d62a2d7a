package harness

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"hoard/bench/npmreg"
)

// Real-shaped npm documents (bench/npmreg: every version repeats its manifest,
// with a real dist.integrity of a tarball that exists) of the sizes real
// packuments have, and the content the origin serves at full speed.

// unpaced are the origin's path prefixes served at line rate, as a registry
// behind a CDN delivers: the npm documents below and a second set of cold blobs.
var unpaced = []string{"/npm/unpaced-", "/maven/com/acme/unpaced/"}

// docFile is where the origin's tree keeps an npm document whose directory also
// holds its tarballs (/npm/NAME is the document, /npm/NAME/-/FILE.tgz a tarball):
// the origin (-dir-index) and static nginx (try_files) serve it for /npm/NAME.
const docFile = ".document"

// docShape is a size of packument: versions of about 6.5 KB each, plus a readme.
type docShape struct {
	label    string // "20 MB"
	prefix   string // package names are prefix + index
	versions int
	readme   int
}

var (
	doc20K  = docShape{"20 KB", "unpaced-t20k-", 3, 0}
	doc200K = docShape{"200 KB", "unpaced-p200k-", 31, 0}
	doc5M   = docShape{"5 MB", "unpaced-p5m-", 800, 0}
	doc20M  = docShape{"20 MB", "unpaced-p20m-", 3000, 2 << 20}
)

// pathDoc20M is the 20 MB packument of the warm-doc scenario; the tarball-miss
// rows fetch its tarballs once it is cached.
const pathDoc20M = "/npm/unpaced-big20m"

func (d docShape) name(i int) string { return fmt.Sprintf("%s%d", d.prefix, i) }
func (d docShape) path(i int) string { return "/npm/" + d.name(i) }

func coldUnpacedBlobPath(i int) string {
	return fmt.Sprintf("/maven/com/acme/unpaced/%d/unpaced-%d.jar", i, i)
}

// tarballPath is where a version's tarball is, on the origin and through Hoard.
func tarballPath(name, version string) string {
	return "/npm/" + name + "/-/" + name + "-" + version + ".tgz"
}

// docTarballVersions are the versions of the 20 MB document whose tarballs the
// tarball-miss row fetches: n of them, spread over the document.
func docTarballVersions(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, npmreg.Version(i*(doc20M.versions/max(n, 1))))
	}
	return out
}

func docTarballs(n int) []string {
	var out []string
	for _, v := range docTarballVersions(n) {
		out = append(out, tarballPath(strings.TrimPrefix(pathDoc20M, "/npm/"), v))
	}
	return out
}

// smallDocTarballs are one tarball of each of n 20 KB documents: a 20 KB
// packument has three versions, so each tarball miss has a document of its own.
func smallDocTarballs(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, tarballPath(doc20K.name(i), npmreg.Version(0)))
	}
	return out
}

// bigDoc is one document to generate, and the versions whose tarballs the
// origin's tree gets.
type bigDoc struct {
	spec     npmreg.BigSpec
	tarballs []string // versions
}

// bigDocs lists the generated documents of a run.
func bigDocs(spec dataSpec) []bigDoc {
	var out []bigDoc
	add := func(d docShape, name string, tarballs []string) {
		out = append(out, bigDoc{npmreg.BigSpec{Name: name, Versions: d.versions, ReadmeBytes: d.readme,
			Deps: map[string]string{"left-pad": "^1.3.0"}}, tarballs})
	}
	add(doc20M, strings.TrimPrefix(pathDoc20M, "/npm/"), docTarballVersions(spec.ColdMeta))
	for i := 0; i < spec.ColdMeta; i++ {
		add(doc200K, doc200K.name(i), nil)
		add(doc20K, doc20K.name(i), []string{npmreg.Version(0)})
	}
	for i := 0; i < spec.ColdDocs; i++ {
		add(doc5M, doc5M.name(i), nil)
		add(doc20M, doc20M.name(i), nil)
	}
	return out
}

// writeBigDocs generates each document (one at a time: a 20 MB one takes a few
// seconds and about ten times its size in memory) and writes it and its
// tarballs into the origin's tree, tarball URLs pointing at the origin.
func writeBigDocs(root string, spec dataSpec) error {
	for _, d := range bigDocs(spec) {
		d.spec.TarballBase = spec.OriginURL + "/npm/"
		reg, err := npmreg.NewBigRegistry(d.spec)
		if err != nil {
			return err
		}
		dir := filepath.Join(root, "npm", d.spec.Name)
		doc := reg.Packument(d.spec.Name, false)
		if err := writeWithSHA1(filepath.Join(dir, docFile), bytesTo(doc)); err != nil {
			return err
		}
		for _, v := range d.tarballs {
			tgz := reg.Tarball(d.spec.Name, v)
			if tgz == nil {
				return fmt.Errorf("%s has no version %s", d.spec.Name, v)
			}
			if err := writeWithSHA1(filepath.Join(root, filepath.FromSlash(tarballPath(d.spec.Name, v))), bytesTo(tgz)); err != nil {
				return err
			}
		}
	}
	return nil
}

func bytesTo(b []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}
}
