package npm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"hoard/formats"
)

// Rewrite implements formats.Rewriter: every dist.tarball in a packument (or in a
// single version's document) is pointed at base, the mount's public URL, so clients
// fetch tarballs through Hoard whatever host the upstream named. Only the tarball
// strings change; every other byte stays as the upstream sent it. The document is
// never decoded whole (see walkVersions), so memory stays near input plus output
// however big the packument; the same pass checks that it is valid JSON.
func (Format) Rewrite(rt formats.Route, body []byte, base string) ([]byte, error) {
	return rewrite(rt, body, base, nil)
}

// RewriteSums implements formats.RewriteIndexer: Rewrite, with the table Sums
// would read from its output collected in the same pass.
func (Format) RewriteSums(rt formats.Route, body []byte, base string) ([]byte, map[string]formats.Checksum, error) {
	sums := map[string]formats.Checksum{}
	out, err := rewrite(rt, body, base, sums)
	if err != nil {
		return nil, nil, err
	}
	return out, sums, nil
}

// RewritePieces implements formats.PieceRewriter: RewriteSums, with the output
// left as the runs of body it keeps and the tarball URLs between them.
func (Format) RewritePieces(rt formats.Route, body []byte, base string) ([][]byte, map[string]formats.Checksum, error) {
	sums := map[string]formats.Checksum{}
	pieces, _, err := splice(rt, body, base, sums)
	if err != nil {
		return nil, nil, err
	}
	return pieces, sums, nil
}

// rewrite is Rewrite, adding each version's checksum to sums (when not nil) under
// the path its last dist.tarball is rewritten to, as Sums names it.
func rewrite(rt formats.Route, body []byte, base string, sums map[string]formats.Checksum) ([]byte, error) {
	pieces, size, err := splice(rt, body, base, sums)
	if err != nil {
		return nil, err
	}
	if len(pieces) == 1 {
		return pieces[0], nil
	}
	out := make([]byte, 0, size)
	for _, p := range pieces {
		out = append(out, p...)
	}
	return out, nil
}

// splice is rewrite's output in pieces, in order, and their total length: the
// runs of body between tarball URLs, and the URLs that replace them. A document
// with nothing to rewrite is one piece, body itself.
func splice(rt formats.Route, body []byte, base string, sums map[string]formats.Checksum) ([][]byte, int, error) {
	var pieces [][]byte
	last, size := 0, 0
	keep := func(p []byte) {
		if len(p) > 0 {
			pieces = append(pieces, p)
			size += len(p)
		}
	}
	err := walkVersions(body, func(v versionDoc) error {
		rel := ""
		for _, t := range v.tarballs {
			var err error
			if rel, err = relFor(body, rt.Package, v, t); err != nil {
				return err
			}
			with, err := encode(base + rel)
			if err != nil {
				return err
			}
			keep(body[last:t.start])
			keep(with)
			last = t.end
		}
		if sums != nil && rel != "" {
			d := distEntry{Integrity: text(body, v.integrity), Shasum: text(body, v.shasum)}
			if sum, ok, err := d.checksum(); err == nil && ok {
				sums[rel] = sum
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if len(pieces) == 0 {
		return [][]byte{body}, len(body), nil
	}
	keep(body[last:])
	return pieces, size, nil
}

// relFor is the path after the mount at which Hoard serves one dist.tarball.
func relFor(doc []byte, name string, v versionDoc, tarball span) (string, error) {
	if rel, ok := tarballRel(name, text(doc, tarball)); ok {
		return rel, nil
	}
	// An unusable URL must not stay pointing elsewhere; the registry layout is the
	// best guess, and the integrity check still guards what it fetches.
	version := text(doc, v.version)
	if validVersion(version) != nil {
		return "", errors.New("unusable dist.tarball and no valid version")
	}
	return "/" + name + "/-/" + unscoped(name) + "-" + version + ".tgz", nil
}

// Sums implements formats.SumsIndexer: it reads a rewritten packument once, when it
// is filled, into the table tarball routes look their checksum up in (by the path
// Rewrite put after base), so a tarball miss never parses its packument again.
// A version whose integrity is malformed gets no entry: its tarball is then checked
// against the next document, as when a version is missing.
func (Format) Sums(_ formats.Route, doc []byte, base string) (map[string]formats.Checksum, error) {
	// doc is one Rewrite returned or its cached, hash-checked copy; the scanner
	// checks its grammar again on the way, at little cost.
	sums := map[string]formats.Checksum{}
	err := walkVersions(doc, func(v versionDoc) error {
		if len(v.tarballs) == 0 {
			return nil
		}
		url := text(doc, v.tarballs[len(v.tarballs)-1])
		if len(url) <= len(base) || url[:len(base)] != base {
			return nil
		}
		d := distEntry{Integrity: text(doc, v.integrity), Shasum: text(doc, v.shasum)}
		if sum, ok, err := d.checksum(); err == nil && ok {
			sums[url[len(base):]] = sum
		}
		return nil
	})
	return sums, err
}

// encode marshals without HTML escaping, so text fields keep their bytes. A
// string of printable ASCII without quotes or backslashes, as URLs are, needs
// no escaping at all.
func encode(v any) ([]byte, error) {
	if s, ok := v.(string); ok && plainASCII(s) {
		return []byte(`"` + s + `"`), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding a tarball URL: %w", err)
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// tarballRel maps a packument's dist.tarball to the path after the mount that
// Hoard serves it at. ok is false when the URL is unusable.
func tarballRel(name, tarball string) (string, bool) {
	u, err := url.Parse(tarball)
	if err != nil || u.EscapedPath() == "" {
		return "", false
	}
	segs, err := splitPath(u.EscapedPath())
	if err != nil {
		return "", false
	}
	n := len(segs)
	if n >= 3 && segs[n-2] == "-" && validFile(segs[n-1]) == nil {
		owner := segs[n-3]
		scoped := n >= 4 && strings.HasPrefix(segs[n-4], "@")
		if scoped {
			owner = segs[n-4] + "/" + segs[n-3]
		}
		if owner == name && scoped == strings.HasPrefix(name, "@") {
			return "/" + name + "/-/" + segs[n-1], true
		}
	}
	for _, s := range segs {
		if validToken("tarball path segment", s, isDLByte) != nil {
			return "", false
		}
	}
	return "/" + name + "/-/" + dlSegment + escapeSegs(segs), true
}
