package npm

import (
	"bytes"
	"encoding/binary"
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
// or once for a single-version document (one with a top-level "dist"). A document
// that is not valid JSON, or of another shape, is an error; fn may have been called
// for versions before the error was found.
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
	if err != nil {
		return err
	}
	if s.ws(); s.i != len(s.b) {
		return s.malformed() // data after the document
	}
	if !single {
		return nil
	}
	return fn(top)
}

// text decodes a JSON string value found by walkVersions ("" when absent or not a string).
func text(doc []byte, sp span) string {
	if sp.end == 0 {
		return ""
	}
	raw := doc[sp.start:sp.end]
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]) // no escapes: the bytes are the text
	}
	var out string
	if json.Unmarshal(raw, &out) != nil {
		return ""
	}
	return out
}

// scanner reads a document and checks its grammar as it goes, as strictly as
// json.Valid (escapes, numbers, literals, no trailing data, nesting at most
// maxNesting): the one pass that finds the strings that matter also validates, so a
// rewrite reads the document once.
type scanner struct {
	b     []byte
	i     int
	depth int
}

// maxNesting is the deepest nesting accepted, encoding/json's own limit.
const maxNesting = 10000

func (s *scanner) malformed() error { return fmt.Errorf("malformed JSON at byte %d", s.i) }

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

// nest enters an object or array, refusing nesting deeper than maxNesting.
func (s *scanner) nest() error {
	if s.depth++; s.depth > maxNesting {
		return errors.New("malformed JSON: nested too deeply")
	}
	s.i++ // '{' or '['
	s.ws()
	return nil
}

// object calls member with each key of the object at s.i, positioned at its value;
// member must consume the value. The key is the raw bytes between the quotes, or
// the decoded key when it has escapes; it is only valid during the call.
func (s *scanner) object(member func(key []byte) error) error {
	if err := s.nest(); err != nil {
		return err
	}
	defer func() { s.depth-- }()
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		if s.peek() != '"' {
			return s.malformed()
		}
		k, err := s.str()
		if err != nil {
			return err
		}
		key := s.b[k.start+1 : k.end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			key = []byte(text(s.b, k))
		}
		s.ws()
		if s.peek() != ':' {
			return s.malformed()
		}
		s.i++
		s.ws()
		if err := member(key); err != nil {
			return err
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
			s.ws()
		case '}':
			s.i++
			return nil
		default:
			return s.malformed()
		}
	}
}

// array passes over the array at s.i.
func (s *scanner) array() error {
	if err := s.nest(); err != nil {
		return err
	}
	defer func() { s.depth-- }()
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := s.skip(); err != nil {
			return err
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
			s.ws()
		case ']':
			s.i++
			return nil
		default:
			return s.malformed()
		}
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
	var err error
	*sp, err = s.str()
	return err
}

// str reads the string at s.i and returns its span, quotes included. Runs of
// plain bytes are passed in a tight loop: most of a packument is inside strings.
func (s *scanner) str() (span, error) {
	start := s.i
	s.i++
	for {
		for s.i+8 <= len(s.b) && !special8(binary.LittleEndian.Uint64(s.b[s.i:])) {
			s.i += 8
		}
		for s.i < len(s.b) {
			if c := s.b[s.i]; c < 0x20 || c == '"' || c == '\\' {
				break
			}
			s.i++
		}
		switch s.peek() {
		case '"':
			s.i++
			return span{start, s.i}, nil
		case '\\':
			if err := s.escape(); err != nil {
				return span{}, err
			}
		default: // the end of the document, or a control byte JSON wants escaped
			return span{}, s.malformed()
		}
	}
}

// special8 reports whether any of the eight bytes in v ends a run of plain string
// bytes: a quote, a backslash or a control byte. Each test is the classic
// has-a-byte-below-n of the whole word, exact about whether such a byte exists.
func special8(v uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, b := v^(ones*'"'), v^(ones*'\\')
	return ((v-ones*0x20)&^v|(q-ones)&^q|(b-ones)&^b)&highs != 0
}

// escape passes over one backslash escape inside a string.
func (s *scanner) escape() error {
	if s.i+1 >= len(s.b) {
		return s.malformed()
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
		return nil
	case 'u':
		if s.i+6 > len(s.b) {
			return s.malformed()
		}
		for _, c := range s.b[s.i+2 : s.i+6] {
			if !isHex(c) {
				return s.malformed()
			}
		}
		s.i += 6
		return nil
	}
	return s.malformed()
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// skip passes over one value of any type, checking its grammar.
func (s *scanner) skip() error {
	switch c := s.peek(); {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{':
		return s.object(func([]byte) error { return s.skip() })
	case c == '[':
		return s.array()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return s.malformed()
}

func (s *scanner) literal(word string) error {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return s.malformed()
	}
	s.i += len(word)
	return nil
}

// number passes over a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.peek() == '-' {
		s.i++
	}
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		return s.malformed()
	}
	if s.peek() == '.' {
		s.i++
		if s.digits() == 0 {
			return s.malformed()
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if s.digits() == 0 {
			return s.malformed()
		}
	}
	return nil
}

// digits passes over a run of decimal digits and reports how many there were.
func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}
