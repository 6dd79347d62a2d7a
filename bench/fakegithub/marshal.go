package fakegithub

import "bytes"

// Ruby's Marshal format (version 4.8), as far as a gem server's indexes need it:
// nil, booleans, small integers, UTF-8 strings, symbols, arrays, hashes and
// objects with a marshal_dump (Gem::Version dumps as [version_string]).

// rbSymbol is a Ruby Symbol.
type rbSymbol string

// rbUserMarshal is an object of class Class whose marshal_dump returned Data.
type rbUserMarshal struct {
	Class string
	Data  any
}

// rbHash is a Hash whose insertion order is kept, as Ruby keeps it.
type rbHash []rbPair

type rbPair struct{ Key, Value any }

// rubyMarshal dumps v as Marshal.dump would.
func rubyMarshal(v any) []byte {
	m := &marshaler{syms: map[string]int{}}
	m.buf.WriteString("\x04\x08")
	m.value(v)
	return m.buf.Bytes()
}

type marshaler struct {
	buf  bytes.Buffer
	syms map[string]int // symbols written so far, by their index in the stream
}

func (m *marshaler) value(v any) {
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
	case string:
		// A UTF-8 string: the bytes, then one instance variable, E = true.
		m.buf.WriteString("I\"")
		m.long(len(x))
		m.buf.WriteString(x)
		m.long(1)
		m.symbol("E")
		m.buf.WriteByte('T')
	case rbSymbol:
		m.symbol(string(x))
	case []any:
		m.buf.WriteByte('[')
		m.long(len(x))
		for _, e := range x {
			m.value(e)
		}
	case rbHash:
		m.buf.WriteByte('{')
		m.long(len(x))
		for _, p := range x {
			m.value(p.Key)
			m.value(p.Value)
		}
	case rbUserMarshal:
		m.buf.WriteByte('U')
		m.symbol(x.Class)
		m.value(x.Data)
	default:
		panic("rubyMarshal: unsupported type")
	}
}

// symbol writes a symbol, or a link to it when it was written before.
func (m *marshaler) symbol(s string) {
	if i, ok := m.syms[s]; ok {
		m.buf.WriteByte(';')
		m.long(i)
		return
	}
	m.syms[s] = len(m.syms)
	m.buf.WriteByte(':')
	m.long(len(s))
	m.buf.WriteString(s)
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
		var b [4]byte
		i := 0
		for x := n; i < 4; i++ {
			b[i] = byte(x)
			x >>= 8
			if (n > 0 && x == 0) || (n < 0 && x == -1) {
				i++
				break
			}
		}
		if n > 0 {
			m.buf.WriteByte(byte(i))
		} else {
			m.buf.WriteByte(byte(-i))
		}
		m.buf.Write(b[:i])
	}
}

// gemVersionObj is a Gem::Version as Marshal carries it.
func gemVersionObj(v string) rbUserMarshal {
	return rbUserMarshal{Class: "Gem::Version", Data: []any{v}}
}
