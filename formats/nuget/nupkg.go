package nuget

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxNuspec bounds the .nuspec read out of a package.
const maxNuspec = 4 << 20

// nuspecMeta is what a .nuspec says of its package.
type nuspecMeta struct {
	ID      string `xml:"metadata>id"`
	Version string `xml:"metadata>version"`
}

// readNupkg opens a package as a zip and reads its .nuspec, the one file at the
// root whose name ends in .nuspec. A truncated zip has no central directory and is
// refused here.
func readNupkg(body []byte) (nuspecMeta, error) {
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return nuspecMeta{}, fmt.Errorf("package is not a zip: %v", err)
	}
	var spec *zip.File
	for _, f := range zr.File {
		if !strings.Contains(f.Name, "/") && strings.HasSuffix(strings.ToLower(f.Name), ".nuspec") {
			if spec != nil {
				return nuspecMeta{}, errors.New("package has more than one .nuspec")
			}
			spec = f
		}
	}
	if spec == nil {
		return nuspecMeta{}, errors.New("package has no .nuspec at its root")
	}
	rc, err := spec.Open()
	if err != nil {
		return nuspecMeta{}, fmt.Errorf("package's .nuspec: %v", err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, maxNuspec+1))
	if err != nil || len(raw) > maxNuspec {
		return nuspecMeta{}, errors.New("package's .nuspec is unreadable or too large")
	}
	var m nuspecMeta
	if err := xml.Unmarshal(raw, &m); err != nil {
		return nuspecMeta{}, fmt.Errorf("package's .nuspec is not XML: %v", err)
	}
	return m, nil
}

// checkNupkg: body is a package whose .nuspec names id and version (both
// normalized as in keys).
func checkNupkg(body []byte, id, version string) error {
	m, err := readNupkg(body)
	if err != nil {
		return err
	}
	gotID, err1 := normalID(m.ID)
	gotVer, err2 := normalVersion(m.Version)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("package's .nuspec names no valid id and version (%q %q)", clip(m.ID), clip(m.Version))
	}
	if gotID != id || gotVer != version {
		return fmt.Errorf("package's .nuspec names %s %s, not %s %s", gotID, gotVer, id, version)
	}
	return nil
}
