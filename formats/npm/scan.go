package npm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// A packument can be tens of megabytes (next, typescript, @types/node), and only a
// few strings in it matter to Hoard: each version's dist.tarball, to point it at
// the mount, and dist.integrity and dist.shasum, to verify tarballs. walkVersions
// finds them with one pass over the bytes, without building the document in memory,
// so a rewrite costs the input and the output and keeps every other byte as the
// upstream sent it.

// span is a JSON value's place in the document: doc[start:end], quotes included.
type span struct{ start, end int }

// versionDoc is what walkVersions reports of one version object.
type versionDoc struct {
	version   span   // its "version" string, if any
	tarballs  []span // every dist.tarball string (normally one; JSON allows repeats)
	integrity span   // the last dist.integrity string, if any
	shasum    span   // the last dist.shasum string, if any
}

// walkVersions calls fn for every version object of a packument (doc.versions.*),
// or once for a single-version document (one with a top-level "dist"). doc must be
// valid JSON (json.Valid); a document of another shape is an error.
func walkVersions(doc []byte, fn func(v versionDoc) error) error {
	s := scanner{b: doc}
	s.ws()
	if s.peek() != '{' {
		return errors.New("npm document is not a JSON object")
	}
	top := versionDoc{}
	single := false
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "versions":
			switch s.peek() {
			case 'n':
				return s.skip() // null: a document with no versions
			case '{':
			default:
				return errors.New("npm packument versions is not an object")
			}
			return s.object(func(v []byte) error {
				if s.peek() != '{' {
					return fmt.Errorf("npm packument version %q is not an object", truncate(string(v), 40))
				}
				var vd versionDoc
				if err := s.version(&vd); err != nil {
					return fmt.Errorf("npm packument version %q: %w", truncate(string(v), 40), err)
				}
				return fn(vd)
			})
		case "dist":
			single = true
			return s.dist(&top)
		case "version":
			return s.stringAt(&top.version)
		}
		return s.skip()
	})
	if err != nil || !single {
		return err
	}
	return fn(top)
}

// text decodes a JSON string value found by walkVersions ("" when absent or not a string).
func text(doc []byte, sp span) string {
	if sp.end == 0 {
		return ""
	}
	var out string
	if json.Unmarshal(doc[sp.start:sp.end], &out) != nil {
		return ""
	}
	return out
}

// scanner reads a document json.Valid has accepted: it only finds where values
// start and end, and trusts the grammar.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// object calls member with each key of the object at s.i, positioned at its value;
// member must consume the value. The key is the raw bytes between the quotes, or
// the decoded key when it has escapes; it is only valid during the call.
func (s *scanner) object(member func(key []byte) error) error {
	s.i++ // '{'
	for {
		s.ws()
		switch s.peek() {
		case '}':
			s.i++
			s.ws()
			return nil
		case ',':
			s.i++
			continue
		case '"':
		default:
			return fmt.Errorf("malformed JSON at byte %d", s.i)
		}
		k := s.str()
		if k.end-k.start < 2 {
			return errors.New("malformed JSON: unterminated key")
		}
		key := s.b[k.start+1 : k.end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			key = []byte(text(s.b, k))
		}
		s.ws()
		if s.peek() != ':' {
			return fmt.Errorf("malformed JSON at byte %d", s.i)
		}
		s.i++
		s.ws()
		if err := member(key); err != nil {
			return err
		}
		s.ws()
	}
}

// version reads one version object, keeping what walkVersions reports.
func (s *scanner) version(vd *versionDoc) error {
	return s.object(func(key []byte) error {
		switch string(key) {
		case "dist":
			return s.dist(vd)
		case "version":
			return s.stringAt(&vd.version)
		}
		return s.skip()
	})
}

// dist reads a dist object (anything else there is skipped, null included).
func (s *scanner) dist(vd *versionDoc) error {
	if s.peek() != '{' {
		return s.skip()
	}
	return s.object(func(key []byte) error {
		var sp span
		switch string(key) {
		case "tarball":
			if err := s.stringAt(&sp); err != nil || sp.end == 0 {
				return err
			}
			vd.tarballs = append(vd.tarballs, sp)
			return nil
		case "integrity":
			return s.stringAt(&vd.integrity)
		case "shasum":
			return s.stringAt(&vd.shasum)
		}
		return s.skip()
	})
}

// stringAt records the span of a string value, or skips a value of another type.
func (s *scanner) stringAt(sp *span) error {
	if s.peek() != '"' {
		return s.skip()
	}
	*sp = s.str()
	return nil
}

// str reads the string at s.i and returns its span, quotes included.
func (s *scanner) str() span {
	start := s.i
	s.i++
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			s.i++
			return span{start, s.i}
		}
		s.i++
	}
	s.i = len(s.b) // unterminated: json.Valid refused it already
	return span{start, s.i}
}

// skip passes over one value of any type.
func (s *scanner) skip() error {
	switch s.peek() {
	case '"':
		s.str()
		return nil
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return nil
				}
			}
			s.i++
		}
		return errors.New("malformed JSON: unterminated value")
	}
	for s.i < len(s.b) { // number, true, false, null
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return nil
		}
		s.i++
	}
	return nil
}
