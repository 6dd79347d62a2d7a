package rubygems

import (
	"bytes"
	"errors"
	"fmt"
)

// Ruby's Marshal format (4.8), read and written as far as the full index needs
// it (specs.4.8.gz and its kin: an Array of [name, Gem::Version, platform]).
// Values are read into a tree and written back whole: an object link ("@") is
// written as a copy of the object, and symbols are numbered afresh, so an
// element can be dropped without breaking the links of those after it.

// rbString is a String's bytes; its encoding is an instance variable (rbIvars).
type rbString []byte

// rbSymbol is a Symbol.
type rbSymbol string

// rbArray is an Array; a pointer, as it is linkable before its elements are read.
type rbArray struct{ elems []any }

// rbHash is a Hash, its pairs in order.
type rbHash struct{ pairs [][2]any }

// rbIvars wraps an object with instance variables (a String's encoding).
type rbIvars struct {
	obj   any
	ivars [][2]any
}

// rbUser is an object whose class dumps itself (marshal_dump: Gem::Version).
type rbUser struct {
	class rbSymbol
	data  any
}

// rbObject is a plain object: its class and instance variables (Gem::Platform).
type rbObject struct {
	class rbSymbol
	ivars [][2]any
}

// rbRaw is a Float or Bignum, kept as its bytes after the type byte.
type rbRaw struct {
	typ  byte
	body []byte
}

// maxMarshalDepth bounds nesting; the index is three deep.
const maxMarshalDepth = 64

var errMarshal = errors.New("not a Marshal document Hoard can read")

type unmarshaler struct {
	b    []byte
	syms []rbSymbol
	objs []any
}

// rubyUnmarshal reads one Marshal 4.8 document.
func rubyUnmarshal(b []byte) (any, error) {
	if len(b) < 2 || b[0] != 4 || b[1] != 8 {
		return nil, fmt.Errorf("%w: no 4.8 header", errMarshal)
	}
	u := &unmarshaler{b: b[2:]}
	v, err := u.value(0)
	if err == nil && len(u.b) != 0 {
		err = fmt.Errorf("%w: trailing bytes", errMarshal)
	}
	return v, err
}

func (u *unmarshaler) byte1() (byte, error) {
	if len(u.b) == 0 {
		return 0, fmt.Errorf("%w: truncated", errMarshal)
	}
	c := u.b[0]
	u.b = u.b[1:]
	return c, nil
}

func (u *unmarshaler) take(n int) ([]byte, error) {
	if n < 0 || n > len(u.b) {
		return nil, fmt.Errorf("%w: truncated", errMarshal)
	}
	out := u.b[:n]
	u.b = u.b[n:]
	return out, nil
}

// long reads Marshal's variable-length integer.
func (u *unmarshaler) long() (int, error) {
	c, err := u.byte1()
	if err != nil {
		return 0, err
	}
	n := int(int8(c))
	switch {
	case n == 0:
		return 0, nil
	case n > 4:
		return n - 5, nil
	case n < -4:
		return n + 5, nil
	}
	size := n
	if size < 0 {
		size = -size
	}
	bs, err := u.take(size)
	if err != nil {
		return 0, err
	}
	x := 0
	for i, b := range bs {
		x |= int(b) << (8 * i)
	}
	if n < 0 {
		x -= 1 << (8 * size)
	}
	return x, nil
}

func (u *unmarshaler) register(v any) any {
	u.objs = append(u.objs, v)
	return v
}

func (u *unmarshaler) value(depth int) (any, error) {
	if depth > maxMarshalDepth {
		return nil, fmt.Errorf("%w: nested too deep", errMarshal)
	}
	t, err := u.byte1()
	if err != nil {
		return nil, err
	}
	switch t {
	case '0':
		return nil, nil
	case 'T':
		return true, nil
	case 'F':
		return false, nil
	case 'i':
		return u.long()
	case ':', ';':
		return u.symbolAfter(t)
	case '"':
		n, err := u.long()
		if err != nil {
			return nil, err
		}
		b, err := u.take(n)
		if err != nil {
			return nil, err
		}
		return u.register(rbString(append([]byte(nil), b...))), nil
	case 'f', 'l':
		return u.raw(t)
	case '@':
		i, err := u.long()
		if err != nil || i < 0 || i >= len(u.objs) {
			return nil, fmt.Errorf("%w: bad object link", errMarshal)
		}
		return u.objs[i], nil
	case 'I':
		at := len(u.objs)
		obj, err := u.value(depth + 1)
		if err != nil {
			return nil, err
		}
		w := &rbIvars{obj: obj}
		if len(u.objs) > at {
			u.objs[at] = w // a link to the object is to it with its encoding
		}
		w.ivars, err = u.pairs(depth, true)
		return w, err
	case '[':
		a := &rbArray{}
		u.register(a)
		n, err := u.long()
		if err != nil || n < 0 || n > len(u.b) {
			return nil, fmt.Errorf("%w: bad array length", errMarshal)
		}
		for i := 0; i < n; i++ {
			e, err := u.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a.elems = append(a.elems, e)
		}
		return a, nil
	case '{':
		h := &rbHash{}
		u.register(h)
		pairs, err := u.pairs(depth, false)
		h.pairs = pairs
		return h, err
	case 'U':
		class, err := u.symbol()
		if err != nil {
			return nil, err
		}
		v := &rbUser{class: class}
		u.register(v)
		v.data, err = u.value(depth + 1)
		return v, err
	case 'o':
		class, err := u.symbol()
		if err != nil {
			return nil, err
		}
		v := &rbObject{class: class}
		u.register(v)
		v.ivars, err = u.pairs(depth, true)
		return v, err
	}
	return nil, fmt.Errorf("%w: type %q", errMarshal, t)
}

// pairs reads a count and that many key/value pairs; symbolKeys: instance
// variables, whose names are symbols.
func (u *unmarshaler) pairs(depth int, symbolKeys bool) ([][2]any, error) {
	n, err := u.long()
	if err != nil || n < 0 || n > len(u.b) {
		return nil, fmt.Errorf("%w: bad count", errMarshal)
	}
	out := make([][2]any, 0, n)
	for i := 0; i < n; i++ {
		var k any
		if symbolKeys {
			k, err = u.symbol()
		} else {
			k, err = u.value(depth + 1)
		}
		if err != nil {
			return nil, err
		}
		v, err := u.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, [2]any{k, v})
	}
	return out, nil
}

func (u *unmarshaler) symbol() (rbSymbol, error) {
	t, err := u.byte1()
	if err != nil {
		return "", err
	}
	if t != ':' && t != ';' {
		return "", fmt.Errorf("%w: a symbol expected", errMarshal)
	}
	return u.symbolAfter(t)
}

func (u *unmarshaler) symbolAfter(t byte) (rbSymbol, error) {
	n, err := u.long()
	if err != nil {
		return "", err
	}
	if t == ';' {
		if n < 0 || n >= len(u.syms) {
			return "", fmt.Errorf("%w: bad symbol link", errMarshal)
		}
		return u.syms[n], nil
	}
	b, err := u.take(n)
	if err != nil {
		return "", err
	}
	s := rbSymbol(b)
	u.syms = append(u.syms, s)
	return s, nil
}

// raw keeps a Float (a length and text) or a Bignum (a sign, a length in
// 16-bit words, the words) as bytes.
func (u *unmarshaler) raw(t byte) (any, error) {
	start := u.b
	if t == 'l' {
		if _, err := u.byte1(); err != nil {
			return nil, err
		}
	}
	n, err := u.long()
	if err != nil {
		return nil, err
	}
	if t == 'l' {
		n *= 2
	}
	if _, err := u.take(n); err != nil {
		return nil, err
	}
	return u.register(&rbRaw{typ: t, body: start[:len(start)-len(u.b)]}), nil
}

// rubyMarshal writes v as Marshal 4.8, objects written whole where they were
// linked.
func rubyMarshal(v any) ([]byte, error) {
	m := &marshaler{syms: map[rbSymbol]int{}}
	m.buf.WriteString("\x04\x08")
	err := m.value(v, 0)
	return m.buf.Bytes(), err
}

type marshaler struct {
	buf  bytes.Buffer
	syms map[rbSymbol]int
}

func (m *marshaler) value(v any, depth int) error {
	if depth > maxMarshalDepth {
		return fmt.Errorf("%w: nested too deep (a cycle?)", errMarshal)
	}
	if m.buf.Len() > maxSpecsSize {
		// Links written as copies could multiply a small document.
		return fmt.Errorf("%w: over %d bytes written out", errMarshal, maxSpecsSize)
	}
	switch x := v.(type) {
	case nil:
		m.buf.WriteByte('0')
	case bool:
		if x {
			m.buf.WriteByte('T')
		} else {
			m.buf.WriteByte('F')
		}
	case int:
		m.buf.WriteByte('i')
		m.long(x)
	case rbSymbol:
		m.symbol(x)
	case rbString:
		m.buf.WriteByte('"')
		m.long(len(x))
		m.buf.Write(x)
	case *rbRaw:
		m.buf.WriteByte(x.typ)
		m.buf.Write(x.body)
	case *rbIvars:
		m.buf.WriteByte('I')
		if err := m.value(x.obj, depth+1); err != nil {
			return err
		}
		return m.pairs(x.ivars, depth)
	case *rbArray:
		m.buf.WriteByte('[')
		m.long(len(x.elems))
		for _, e := range x.elems {
			if err := m.value(e, depth+1); err != nil {
				return err
			}
		}
	case *rbHash:
		m.buf.WriteByte('{')
		return m.pairs(x.pairs, depth)
	case *rbUser:
		m.buf.WriteByte('U')
		m.symbol(x.class)
		return m.value(x.data, depth+1)
	case *rbObject:
		m.buf.WriteByte('o')
		m.symbol(x.class)
		return m.pairs(x.ivars, depth)
	default:
		return fmt.Errorf("%w: cannot write %T", errMarshal, v)
	}
	return nil
}

func (m *marshaler) pairs(ps [][2]any, depth int) error {
	m.long(len(ps))
	for _, p := range ps {
		for _, v := range p {
			if err := m.value(v, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *marshaler) symbol(s rbSymbol) {
	if i, ok := m.syms[s]; ok {
		m.buf.WriteByte(';')
		m.long(i)
		return
	}
	m.syms[s] = len(m.syms)
	m.buf.WriteByte(':')
	m.long(len(s))
	m.buf.WriteString(string(s))
}

// long writes Marshal's variable-length integer.
func (m *marshaler) long(n int) {
	switch {
	case n == 0:
		m.buf.WriteByte(0)
	case n > 0 && n < 123:
		m.buf.WriteByte(byte(n + 5))
	case n < 0 && n > -124:
		m.buf.WriteByte(byte(n - 5))
	default:
		var b []byte
		for x := n; ; {
			b = append(b, byte(x))
			x >>= 8
			if (n > 0 && x == 0) || (n < 0 && x == -1) || len(b) == 4 {
				break
			}
		}
		size := len(b)
		if n < 0 {
			size = -size
		}
		m.buf.WriteByte(byte(int8(size)))
		m.buf.Write(b)
	}
}
