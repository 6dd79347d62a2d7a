package rubygems

import (
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
