package formats

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrBadPath is returned for any path that could escape its place or is ambiguous.
var ErrBadPath = errors.New("invalid path")

// Segments splits an escaped request path into decoded segments, refusing every form
// of traversal and ambiguity: "..", "." and their percent-encodings, double encoding
// (%25), matrix parameters ("..;/"), backslashes, empty segments ("//"), NUL and other
// control characters, and encoded slashes. allowed reports whether a decoded byte may
// appear in a segment.
func Segments(escaped string, allowed func(byte) bool) ([]string, error) {
	if !strings.HasPrefix(escaped, "/") {
		return nil, fmt.Errorf("%w: must start with /", ErrBadPath)
	}
	if strings.ContainsAny(escaped, "\\;\x00") {
		return nil, fmt.Errorf("%w: forbidden character", ErrBadPath)
	}
	parts := strings.Split(escaped[1:], "/")
	segs := make([]string, 0, len(parts))
	for _, p := range parts {
		seg, err := segment(p, allowed)
		if err != nil {
			return nil, err
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

// CutLast splits a clean path at its last slash; head is "" when it has none.
// Routes read names and endpoints from the end of a path with it, as substrings.
func CutLast(p string) (head, last string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// CleanPath is Segments joined back with "/" and led by one: the decoded path,
// refused for the same reasons. A path with nothing to decode, as almost every
// request's is, is checked in one pass and returned as it is, without the
// slices Segments builds.
func CleanPath(escaped string, allowed func(byte) bool) (string, error) {
	if plainPath(escaped, allowed) {
		return escaped, nil
	}
	segs, err := Segments(escaped, allowed)
	if err != nil {
		return "", err
	}
	return "/" + strings.Join(segs, "/"), nil
}

// plainPath reports whether escaped is "/" and segments that Segments would
// return unchanged: no escapes, no empty, "." or ".." segment, and only
// allowed printable bytes other than the ones Segments always refuses.
func plainPath(escaped string, allowed func(byte) bool) bool {
	if len(escaped) < 2 || escaped[0] != '/' {
		return false
	}
	start := 1 // of the current segment
	for i := 1; i <= len(escaped); i++ {
		if i == len(escaped) || escaped[i] == '/' {
			if seg := escaped[start:i]; seg == "" || seg == "." || seg == ".." {
				return false
			}
			start = i + 1
			continue
		}
		c := escaped[i]
		if c < 0x20 || c == 0x7f || c == '%' || c == '\\' || c == ';' || !allowed(c) {
			return false
		}
	}
	return true
}

func segment(p string, allowed func(byte) bool) (string, error) {
	if p == "" {
		return "", fmt.Errorf("%w: empty segment", ErrBadPath)
	}
	dec, err := url.PathUnescape(p)
	if err != nil {
		return "", fmt.Errorf("%w: bad escape", ErrBadPath)
	}
	// A '%' that survives one decoding was double-encoded: refuse rather than guess
	// what a later layer would make of it.
	if dec == "." || dec == ".." || strings.ContainsAny(dec, "%/\\;") {
		return "", fmt.Errorf("%w: traversal or ambiguous segment", ErrBadPath)
	}
	for i := 0; i < len(dec); i++ {
		if dec[i] < 0x20 || dec[i] == 0x7f || !allowed(dec[i]) {
			return "", fmt.Errorf("%w: character %q not allowed", ErrBadPath, dec[i])
		}
	}
	return dec, nil
}

// IsPlainByte allows letters, digits and - . _ ~ +, enough for Maven coordinates,
// GitHub owners and repositories, and version strings.
func IsPlainByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+", c) >= 0
}
