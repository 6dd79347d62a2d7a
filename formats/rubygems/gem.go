package rubygems

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// Bounds on reading a pushed gem: its specification is a few KiB of YAML.
const (
	maxGemEntries   = 64
	maxMetadataGz   = 1 << 20
	maxMetadataYAML = 4 << 20
)

// readGem reads the name, version and platform of a .gem: a tar holding
// metadata.gz (its specification, gzipped YAML), data.tar.gz and perhaps
// checksums.yaml.gz. Anything else is refused.
func readGem(body []byte) (gemID, error) {
	tr := tar.NewReader(bytes.NewReader(body))
	var meta []byte
	data := false
	for i := 0; ; i++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || i >= maxGemEntries {
			return gemID{}, errors.New("push body is not a gem (a tar archive)")
		}
		switch hdr.Name {
		case "metadata.gz":
			if meta, err = io.ReadAll(io.LimitReader(tr, maxMetadataGz+1)); err != nil || len(meta) > maxMetadataGz {
				return gemID{}, errors.New("gem's metadata.gz is unreadable or too large")
			}
		case "data.tar.gz":
			data = true
		}
	}
	if meta == nil || !data {
		return gemID{}, errors.New("push body is not a gem: no metadata.gz or data.tar.gz")
	}
	spec, err := gunzip(meta, maxMetadataYAML)
	if err != nil {
		return gemID{}, fmt.Errorf("gem's metadata.gz: %w", err)
	}
	return specID(spec)
}

func gunzip(b []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, errors.New("not gzip")
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, errors.New("corrupt gzip")
	}
	if int64(len(out)) > limit {
		return nil, errors.New("too large")
	}
	return out, nil
}

// specYAML is the part of a Gem::Specification, as gem build writes it in YAML,
// that names the gem. The Ruby tags (!ruby/object:Gem::Version) are not needed.
type specYAML struct {
	Name    string `yaml:"name"`
	Version struct {
		Version string `yaml:"version"`
	} `yaml:"version"`
	Platform string `yaml:"platform"`
}

func specID(spec []byte) (gemID, error) {
	var s specYAML
	if err := yaml.Unmarshal(spec, &s); err != nil {
		return gemID{}, errors.New("gem's specification is not valid YAML")
	}
	id := gemID{name: s.Name, version: s.Version.Version, platform: s.Platform}
	if id.name == "" || id.version == "" {
		return gemID{}, errors.New("gem's specification names no gem or version")
	}
	return id, id.validate()
}
