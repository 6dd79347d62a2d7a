package configs

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

//go:embed default.yaml
var defaultYAML []byte

// Default returns the embedded configuration: GitHub Packages on :8080.
func Default() Config {
	var c Config
	if err := decodeStrict(defaultYAML, &c); err != nil {
		panic("embedded default config: " + err.Error()) // a build defect, caught by tests
	}
	return c
}

// Load returns the default configuration with the file at path (if any) laid over it.
// Every unknown key and badly typed value is reported at once, each by its key path.
// A file that lists mounts replaces the default ones; a file without a mounts key
// keeps them (DefaultMounts is then true).
func Load(path string) (Config, error) {
	c := Default()
	c.DefaultMounts = true
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkTree(&doc); err != nil {
		return c, fmt.Errorf("%s:\n%w", path, err)
	}
	if hasTopKey(&doc, "mounts") {
		c.Mounts, c.DefaultMounts = nil, false
	}
	if err := decodeStrict(data, &c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// hasTopKey reports whether the document's top-level mapping has key.
func hasTopKey(doc *yaml.Node, key string) bool {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	for i := 0; doc.Kind == yaml.MappingNode && i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == key {
			return true
		}
	}
	return false
}

func decodeStrict(data []byte, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
