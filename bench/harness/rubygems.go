package harness

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// The RubyGems content: one owner's registry as GitHub serves it, under /rubygems/acme/
// on the origin, nginx and Hoard (whose rubygems mount is on the origin's
// /rubygems). A gem of gemBytes, its /info, and a /versions of about versionsBytes
// that lists it among many others; the Range row asks for the last rangeTail
// bytes of /versions, as Bundler asks for what was appended since its last update.
const (
	gemPrefix     = "/rubygems/acme/"
	pathGem       = gemPrefix + "gems/bench-1.0.0.gem"
	pathGemInfo   = gemPrefix + "info/bench"
	pathVersions  = gemPrefix + "versions"
	gemBytes      = 100 << 10
	versionsBytes = 200 << 10
	rangeTail     = 1024
)

func coldGemPath(i int) string { return fmt.Sprintf("%sgems/cold%d-1.0.0.gem", gemPrefix, i) }

// herdGemPath is the herd's .gem of a round: one no server has fetched yet.
func herdGemPath(round int) string { return fmt.Sprintf("%sgems/herd%d-1.0.0.gem", gemPrefix, round) }

// pathGemHerd is the herd item of the RubyGems rows (round 0's .gem).
var pathGemHerd = herdGemPath(0)

func isGem(p string) bool { return strings.HasPrefix(p, gemPrefix) }

// rangeHeader is what Bundler sends for /versions when its copy is short of the
// upstream's by rangeTail bytes: the range from its copy's last byte, and the MD5
// of its copy, which no longer matches.
func rangeHeader() string {
	return fmt.Sprintf("Range: bytes=%d-\r\nIf-None-Match: \"%032x\"\r\n", versionsBytes-rangeTail, 0)
}

// writeGems writes the owner's registry: the benchmark gem, one per cold fetch and
// per herd round, each with its /info (whose checksum Hoard verifies it against),
// and /versions padded with other gems' lines to versionsBytes.
func writeGems(root string, spec dataSpec) error {
	rng := rand.New(rand.NewChaCha8([32]byte{'g', 'e', 'm', 's'}))
	names := []string{"bench"}
	for i := 0; i < spec.ColdMeta; i++ {
		names = append(names, fmt.Sprintf("cold%d", i))
	}
	for i := range max(spec.HerdBlobs, 1) {
		names = append(names, fmt.Sprintf("herd%d", i))
	}
	var versions strings.Builder
	versions.WriteString("created_at: 2024-01-01T00:00:00Z\n---\n")
	for _, name := range names {
		gem, err := benchGem(rng, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(gem)
		info := "---\n1.0.0 rake:>= 12|checksum:" + hex.EncodeToString(sum[:]) + ",ruby:>= 2.7,created_at:2024-01-01T00:00:00Z\n"
		if err := writeFile(root, gemPrefix+"gems/"+name+"-1.0.0.gem", gem); err != nil {
			return err
		}
		if err := writeFile(root, gemPrefix+"info/"+name, []byte(info)); err != nil {
			return err
		}
		m := md5.Sum([]byte(info))
		fmt.Fprintf(&versions, "%s 1.0.0 %s\n", name, hex.EncodeToString(m[:]))
	}
	for i := 0; versions.Len() < versionsBytes; i++ {
		fmt.Fprintf(&versions, "filler-%05d 0.1.0,0.2.0,1.0.0 %032x\n", i, i)
	}
	return writeFile(root, pathVersions, []byte(versions.String()[:versionsBytes]))
}

// benchGem is a .gem as gem build writes it: a tar of metadata.gz and a
// data.tar.gz of random (incompressible) bytes, about gemBytes in all.
func benchGem(rng *rand.Rand, name string) ([]byte, error) {
	var data bytes.Buffer
	if err := randomBytes(&data, rng, gemBytes); err != nil {
		return nil, err
	}
	var meta bytes.Buffer
	zw := gzip.NewWriter(&meta)
	fmt.Fprintf(zw, "--- !ruby/object:Gem::Specification\nname: %s\nversion: !ruby/object:Gem::Version\n  version: 1.0.0\nplatform: ruby\n", name)
	zw.Close()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range []struct {
		name string
		body []byte
	}{{"metadata.gz", meta.Bytes()}, {"data.tar.gz", data.Bytes()}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o444, Size: int64(len(f.body)), Format: tar.FormatUSTAR}); err != nil {
			return nil, err
		}
		tw.Write(f.body)
	}
	return b.Bytes(), tw.Close()
}

func writeFile(root, p string, b []byte) error {
	name := filepath.Join(root, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}
