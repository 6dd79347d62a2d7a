package nuget

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"hoard/formats"
)

// ParsePublish implements formats.PublishParser for a push: the body is
// multipart/form-data with the .nupkg as its one file part (NuGet.exe and dotnet
// name it "package"). The package must be a zip whose .nuspec names a valid id and
// version; it is cached under its flat container key once the upstream accepted
// it, and that id's metadata is renewed: its versions index and registration
// indexes dropped, its pages, leaves and the feed's search answers expired. The boundary is read from the body's first
// line, as the protocol's writers all put it there.
func (Format) ParsePublish(rt formats.Route, body []byte) ([]formats.Attachment, error) {
	pkg, err := packagePart(body)
	if err != nil {
		return nil, err
	}
	m, err := readNupkg(pkg)
	if err != nil {
		return nil, err
	}
	id, err := normalID(m.ID)
	if err != nil {
		return nil, fmt.Errorf("package id: %v", err)
	}
	ver, err := normalVersion(m.Version)
	if err != nil {
		return nil, fmt.Errorf("package version: %v", err)
	}
	feed, _, _ := strings.Cut(strings.TrimPrefix(rt.Path, "/"), "/")
	sum := sha512.Sum512(pkg)
	return []formats.Attachment{{
		Key: nupkgRoute(feed, id, ver).Key, ContentType: "application/octet-stream", Data: pkg,
		Expect:     []formats.Checksum{{Algo: "sha512", Hex: hex.EncodeToString(sum[:])}},
		Invalidate: metadataKeys(feed, id),
		Change:     &formats.PackageChange{Owner: feed, Name: id, Version: ver},
	}}, nil
}

// maxParts bounds the parts of a push body; real ones have one.
const maxParts = 8

// packagePart finds the one file part of a multipart push body.
func packagePart(body []byte) ([]byte, error) {
	first, _, ok := bytes.Cut(body, []byte("\n"))
	boundary := strings.TrimSpace(strings.TrimPrefix(string(first), "--"))
	if !ok || !bytes.HasPrefix(first, []byte("--")) || boundary == "" || len(boundary) > 70 {
		return nil, errors.New("push body is not multipart/form-data")
	}
	if closing := "--" + boundary + "--"; !bytes.HasSuffix(body, []byte(closing)) && !bytes.HasSuffix(body, []byte(closing+"\r\n")) {
		return nil, errors.New("push body is truncated: it does not end with its closing boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var pkg []byte
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || i >= maxParts {
			return nil, errors.New("push body is not well-formed multipart/form-data")
		}
		_, params, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if _, isFile := params["filename"]; !isFile && p.FormName() != "package" {
			continue
		}
		if pkg != nil {
			return nil, errors.New("push body carries more than one package")
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, errors.New("push body's package part is truncated")
		}
		pkg = data
	}
	if pkg == nil {
		return nil, errors.New("push body carries no package")
	}
	return pkg, nil
}
