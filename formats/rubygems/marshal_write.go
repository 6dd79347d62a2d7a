package rubygems

import (
	"bytes"
	"fmt"
)

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
