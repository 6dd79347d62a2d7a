package npm

import (
	"fmt"
	"net/url"
	"strings"

	"hoard/formats"
)

// maxNameLen is npm's limit on a package name, scope included.
const maxNameLen = 214

// reservedNames can never be package names: npm refuses them, and some of them mean
// something to a file system or a JavaScript object.
var reservedNames = map[string]bool{
	"node_modules": true, "favicon.ico": true, "__proto__": true,
	"constructor": true, "prototype": true,
}

// isNameByte allows the URL-safe bytes npm names are made of (old names may carry
// capitals; new ones are checked for lower case when published).
func isNameByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~", c) >= 0
}

// validName checks a whole name: "pkg" or "@scope/pkg", exactly one scope, no
// traversal, no reserved word, no leading dot or underscore in either part.
func validName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return fmt.Errorf("%w: package name must be 1 to %d characters", formats.ErrBadPath, maxNameLen)
	}
	parts := []string{name}
	if strings.HasPrefix(name, "@") {
		scope, pkg, ok := strings.Cut(name[1:], "/")
		if !ok {
			return fmt.Errorf("%w: scoped name %q has no package part", formats.ErrBadPath, name)
		}
		parts = []string{scope, pkg}
	}
	for _, p := range parts {
		if err := validPart(p); err != nil {
			return fmt.Errorf("%w: package name %q: %v", formats.ErrBadPath, name, err)
		}
	}
	return nil
}

func validPart(p string) error {
	if p == "" {
		return fmt.Errorf("empty part")
	}
	if p[0] == '.' || p[0] == '_' {
		return fmt.Errorf("may not start with %q", p[0])
	}
	if reservedNames[strings.ToLower(p)] {
		return fmt.Errorf("%q is reserved", p)
	}
	for i := 0; i < len(p); i++ {
		if !isNameByte(p[i]) {
			return fmt.Errorf("character %q not allowed", p[i])
		}
	}
	return nil
}

// escapedName is the name as npm puts it in a URL path: the scope's slash encoded.
func escapedName(name string) string { return strings.Replace(name, "/", "%2f", 1) }

// unscoped is the package part of a name, which npm uses for tarball file names.
func unscoped(name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// isVersionByte allows semver's characters: digits, letters, dots, - and +.
func isVersionByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return c == '.' || c == '-' || c == '+'
}

// validToken checks a version, dist-tag, revision or file name: 1-256 plain bytes,
// not starting with a dot (so never "." or ".."), not a reserved word.
func validToken(kind, s string, allowed func(byte) bool) error {
	if s == "" || len(s) > 256 || s[0] == '.' || reservedNames[strings.ToLower(s)] {
		return fmt.Errorf("%w: invalid %s %q", formats.ErrBadPath, kind, s)
	}
	for i := 0; i < len(s); i++ {
		if !allowed(s[i]) {
			return fmt.Errorf("%w: invalid %s %q", formats.ErrBadPath, kind, s)
		}
	}
	return nil
}

func validVersion(v string) error { return validToken("version", v, isVersionByte) }

// isPathByte allows what npm's endpoints under /-/ carry besides names: the couchdb
// user ids (org.couchdb.user:NAME) and scopes.
func isPathByte(c byte) bool { return formats.IsPlainByte(c) || c == '@' || c == ':' }

// splitPath decodes an escaped path into segments with formats.Segments, after
// turning a scoped name's encoded slash ("@scope%2fname") into a real one, the only
// place npm encodes a slash. Every other encoded slash, dot segment or double
// encoding is refused.
func splitPath(escaped string) ([]string, error) {
	parts := strings.Split(escaped, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, "@") && !strings.HasPrefix(strings.ToLower(p), "%40") {
			continue
		}
		if j := indexEncodedSlash(p); j > 0 {
			parts[i] = p[:j] + "/" + p[j+3:]
		}
	}
	return formats.Segments(strings.Join(parts, "/"), isPathByte)
}

// indexEncodedSlash is the index of the first "%2f" or "%2F" in p, or -1. It
// reads p's own bytes: an index into strings.ToLower(p) is not one into p when p
// holds bytes that are not UTF-8, which ToLower replaces with three.
func indexEncodedSlash(p string) int {
	for j := 0; j+3 <= len(p); j++ {
		if p[j] == '%' && p[j+1] == '2' && (p[j+2] == 'f' || p[j+2] == 'F') {
			return j
		}
	}
	return -1
}

// takeName reads the package name at the start of segs and returns the rest.
func takeName(segs []string) (string, []string, error) {
	if len(segs) == 0 {
		return "", nil, fmt.Errorf("%w: no package name", formats.ErrBadPath)
	}
	name, rest := segs[0], segs[1:]
	if strings.HasPrefix(name, "@") {
		if len(segs) < 2 {
			return "", nil, fmt.Errorf("%w: scoped name %q has no package part", formats.ErrBadPath, name)
		}
		name, rest = segs[0]+"/"+segs[1], segs[2:]
	}
	return name, rest, validName(name)
}

// escapeSegs re-escapes decoded, validated segments for an upstream path.
func escapeSegs(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
