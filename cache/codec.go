package cache

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Index entries are stored in a compact binary form: the index holds one per
// cached path, so its size is what a large cache keeps in memory-mapped tables,
// and decoding one is on the path of every hit the entry cache cannot answer.
// JSON, the first form, is still read (it starts with '{'); entries move to the
// binary form as they are rewritten.
//
//	0x01                      version
//	[32]byte                  sha256 of the stored bytes
//	uvarint                   size
//	byte                      flags: mutable, private, zero fetch time
//	varint                    fetch time, unix nanos (absent when zero)
//	string × 4                content type, ETag, Last-Modified, source
//	uvarint, (string string)* protocol headers, sorted by name
//
// A string is a uvarint length and its bytes.
const entryVersion = 1

// EntryFormat names the stored form of index entries, for tools that keep an
// index between runs and must not reuse one written in another form.
const EntryFormat = entryVersion

const (
	flagMutable = 1 << iota
	flagPrivate
	flagZeroTime
)

var errEntryCodec = errors.New("malformed index entry")

// encodeEntry is the stored form of e. An entry whose digest is not a sha256
// (never the case for one a commit wrote) is stored as JSON.
func encodeEntry(e Entry) ([]byte, error) {
	raw, err := hex.DecodeString(e.Digest.Hex())
	if err != nil || len(raw) != 32 {
		return json.Marshal(e)
	}
	b := make([]byte, 0, 64+len(e.ContentType)+len(e.ETag)+len(e.LastModified)+len(e.Source))
	b = append(b, entryVersion)
	b = append(b, raw...)
	b = binary.AppendUvarint(b, uint64(e.Size))
	var flags byte
	if e.Mutable {
		flags |= flagMutable
	}
	if e.Private {
		flags |= flagPrivate
	}
	if e.FetchedAt.IsZero() {
		flags |= flagZeroTime
	}
	b = append(b, flags)
	if !e.FetchedAt.IsZero() {
		b = binary.AppendVarint(b, e.FetchedAt.UnixNano())
	}
	for _, s := range []string{e.ContentType, e.ETag, e.LastModified, e.Source} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(e.Header)))
	names := make([]string, 0, len(e.Header))
	for k := range e.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		b = appendString(appendString(b, k), e.Header[k])
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// decodeEntry reads either stored form; Key is left for the caller.
func decodeEntry(v []byte) (Entry, error) {
	var e Entry
	if len(v) > 0 && v[0] == '{' {
		err := json.Unmarshal(v, &e)
		return e, err
	}
	if len(v) < 1+32 || v[0] != entryVersion {
		return Entry{}, errEntryCodec
	}
	e.Digest = Digest(digestPrefix + hex.EncodeToString(v[1:33]))
	d := entryReader{b: v[33:]}
	e.Size = int64(d.uvarint())
	flags := d.u8()
	e.Mutable, e.Private = flags&flagMutable != 0, flags&flagPrivate != 0
	if flags&flagZeroTime == 0 {
		e.FetchedAt = time.Unix(0, d.varint())
	}
	e.ContentType, e.ETag, e.LastModified, e.Source = d.text(), d.text(), d.text(), d.text()
	if n := d.uvarint(); n > 0 && d.err == nil {
		if n > uint64(len(d.b)) { // each pair takes at least two bytes
			return Entry{}, errEntryCodec
		}
		e.Header = make(map[string]string, n)
		for i := uint64(0); i < n && d.err == nil; i++ {
			k := d.text()
			e.Header[k] = d.text()
		}
	}
	if d.err != nil || len(d.b) != 0 || e.Size < 0 {
		return Entry{}, errEntryCodec
	}
	return e, nil
}

// entryReader reads the binary form front to back; the first short read sets
// err and every later read returns zero values.
type entryReader struct {
	b   []byte
	err error
}

func (d *entryReader) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errEntryCodec
		return 0
	}
	d.b = d.b[n:]
	return x
}

// varint reads a zig-zag signed varint, as binary.AppendVarint writes it.
func (d *entryReader) varint() int64 {
	ux := d.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (d *entryReader) u8() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = errEntryCodec
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *entryReader) text() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = fmt.Errorf("%w: string of %d bytes in %d", errEntryCodec, n, len(d.b))
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
