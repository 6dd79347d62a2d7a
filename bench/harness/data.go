package harness

import (
	"bufio"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Paths of the benchmark's content, the same on the origin, nginx and Hoard (whose
// mounts are named after the origin's top directories). Verdaccio serves the npm
// documents at its root.
const (
	pathMeta1K  = "/maven/com/acme/small/maven-metadata.xml"
	pathDoc200K = "/npm/bigpkg"
	pathBlob    = "/maven/com/acme/big/1.0/big-1.0.jar"
	pathHerd    = "/maven/com/acme/herd/1.0/herd-1.0.jar"
)

// herdPath is the herd blob of a round (item is pathHerd or pathOCIHerd): each
// round's herd is for a blob no server has fetched yet.
func herdPath(item string, round int) string {
	if isNuGet(item) {
		return nugetHerdPath(round)
	}
	if round == 0 {
		return item
	}
	if isOCI(item) {
		return fmt.Sprintf("/oci/herd%d/layer", round)
	}
	if isGem(item) {
		return herdGemPath(round)
	}
	return fmt.Sprintf("/maven/com/acme/herd%d/1.0/herd%d-1.0.jar", round, round)
}

func coldMetaPath(i int) string { return fmt.Sprintf("/maven/com/acme/cold%d/maven-metadata.xml", i) }
func coldNpmPath(i int) string  { return fmt.Sprintf("/npm/cold%d", i) }
func coldBlobPath(i int) string {
	return fmt.Sprintf("/maven/com/acme/coldbig/%d/coldbig-%d.jar", i, i)
}

// dataSpec sizes the generated tree.
type dataSpec struct {
	BlobBytes int64 // the large blob, each herd blob and each cold blob
	ColdMeta  int   // cold metadata files per kind
	ColdBlobs int   // cold blobs, paced and unpaced each
	ColdDocs  int   // cold npm documents of 5 MB and of 20 MB each
	HerdBlobs int   // one per herd round; at least one
	// OriginURL is where the origin serves npm/ (tarball URLs in packuments point there).
	OriginURL string
}

// writeData creates the origin's tree under root. Every file gets a .sha1 next to
// it, as Maven repositories publish them, so a checksum is a static file and not
// something the origin computes per request.
func writeData(root string, spec dataSpec) error {
	rng := rand.New(rand.NewChaCha8([32]byte{'h', 'o', 'a', 'r', 'd'}))
	files := map[string]func(io.Writer) error{
		pathMeta1K:  func(w io.Writer) error { return mavenMetadata(w, "small", 1024) },
		pathDoc200K: func(w io.Writer) error { return packument(w, "bigpkg", spec.OriginURL, 200<<10) },
		pathBlob:    func(w io.Writer) error { return randomBytes(w, rng, spec.BlobBytes) },
	}
	for i := range max(spec.HerdBlobs, 1) {
		files[herdPath(pathHerd, i)] = func(w io.Writer) error { return randomBytes(w, rng, spec.BlobBytes) }
	}
	for i := 0; i < spec.ColdMeta; i++ {
		files[coldMetaPath(i)] = func(w io.Writer) error { return mavenMetadata(w, fmt.Sprintf("cold%d", i), 1024) }
		files[coldNpmPath(i)] = func(w io.Writer) error { return packument(w, fmt.Sprintf("cold%d", i), spec.OriginURL, 1024) }
	}
	for i := 0; i < spec.ColdBlobs; i++ {
		files[coldBlobPath(i)] = func(w io.Writer) error { return randomBytes(w, rng, spec.BlobBytes) }
		files[coldUnpacedBlobPath(i)] = func(w io.Writer) error { return randomBytes(w, rng, spec.BlobBytes) }
	}
	for p, gen := range files {
		if err := writeWithSHA1(filepath.Join(root, filepath.FromSlash(p)), gen); err != nil {
			return fmt.Errorf("writing %s: %w", p, err)
		}
	}
	if err := writeGems(root, spec); err != nil {
		return err
	}
	if err := writeNuGet(root, spec, rng); err != nil {
		return err
	}
	return writeBigDocs(root, spec)
}

func writeWithSHA1(name string, gen func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	h := sha1.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	err = gen(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.WriteFile(name+".sha1", []byte(hex.EncodeToString(h.Sum(nil))), 0o644)
}

func randomBytes(w io.Writer, rng *rand.Rand, n int64) error {
	buf := make([]byte, 1<<20)
	for n > 0 {
		k := min(int64(len(buf)), n)
		for i := 0; i < int(k); i += 8 {
			v := rng.Uint64()
			for j := 0; j < 8 && i+j < int(k); j++ {
				buf[i+j] = byte(v >> (8 * j))
			}
		}
		if _, err := w.Write(buf[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// mavenMetadata writes a maven-metadata.xml of about size bytes.
func mavenMetadata(w io.Writer, artifact string, size int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata>\n  <groupId>com.acme</groupId>\n  <artifactId>%s</artifactId>\n  <versioning>\n    <latest>1.0</latest>\n    <release>1.0</release>\n    <versions>\n", artifact)
	tail := "    </versions>\n    <lastUpdated>20240101000000</lastUpdated>\n  </versioning>\n</metadata>\n"
	for v := 0; b.Len()+len(tail) < size-40; v++ {
		fmt.Fprintf(&b, "      <version>0.%d</version>\n", v)
	}
	b.WriteString(tail)
	_, err := io.WriteString(w, b.String())
	return err
}

// packument writes an npm package document of about size bytes: as many versions
// as fit, each with its dist (tarball URL on the origin, shasum, integrity).
func packument(w io.Writer, name, originURL string, size int) error {
	versions := map[string]any{}
	times := map[string]string{}
	doc := map[string]any{"_id": name, "name": name, "description": "hoard benchmark package",
		"versions": versions, "time": times}
	latest := ""
	for i := 0; ; i++ {
		v := fmt.Sprintf("1.0.%d", i)
		sum := sha512.Sum512([]byte(name + v))
		s1 := sha1.Sum([]byte(name + v))
		versions[v] = map[string]any{
			"name": name, "version": v, "description": "hoard benchmark package", "main": "index.js",
			"license": "MIT", "dependencies": map[string]string{"left-pad": "^1.3.0", "lodash": "^4.17.21"},
			"dist": map[string]any{
				"tarball":   fmt.Sprintf("%s/npm/%s/-/%s-%s.tgz", originURL, name, name, v),
				"shasum":    hex.EncodeToString(s1[:]),
				"integrity": "sha512-" + base64.StdEncoding.EncodeToString(sum[:]),
			},
		}
		times[v] = "2024-01-01T00:00:00.000Z"
		latest = v
		doc["dist-tags"] = map[string]string{"latest": latest}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if len(b) >= size || i > 100_000 {
			_, err = w.Write(b)
			return err
		}
	}
}
