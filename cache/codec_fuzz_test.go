package cache

import (
	"testing"
	"time"
)

// FuzzEntryCodec: decoding any stored value never panics; whatever decodes
// encodes to a value that decodes to the same entry (the binary form also reads
// non-minimal varints and unsorted headers, so the bytes may differ); and an entry
// made of the fuzzed fields round-trips.
func FuzzEntryCodec(f *testing.F) {
	for _, e := range sampleEntries() {
		if v, err := encodeEntry(e); err == nil {
			f.Add(v, e.ContentType, e.ETag, int64(7), e.FetchedAt.UnixNano(), uint8(3))
		}
	}
	f.Add([]byte(`{"digest":"sha256:00","size":1}`), "", "", int64(0), int64(0), uint8(0))
	f.Add([]byte{1}, "x", "y", int64(-1), int64(-1), uint8(255))
	f.Fuzz(func(t *testing.T, v []byte, ct, etag string, size, nanos int64, flags uint8) {
		if e, err := decodeEntry(v); err == nil {
			back, err := encodeEntry(e)
			if err != nil {
				t.Fatalf("%x decodes to %+v, which does not encode: %v", v, e, err)
			}
			if again, err := decodeEntry(back); err != nil || !sameEntry(e, again) {
				t.Fatalf("%x decodes to %+v, re-encoded as %x reads %+v (%v)", v, e, back, again, err)
			}
		}
		if size < 0 {
			size = -size - 1
		}
		e := sampleEntries()[1]
		e.ContentType, e.ETag, e.Size = ct, etag, size
		e.Mutable, e.Private = flags&1 != 0, flags&2 != 0
		e.FetchedAt = time.Unix(0, nanos)
		if flags&4 != 0 {
			e.FetchedAt = time.Time{}
		}
		if flags&8 != 0 {
			e.Header = map[string]string{ct: etag, etag: ct}
		}
		enc, err := encodeEntry(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeEntry(enc)
		if err != nil || !sameEntry(got, e) {
			t.Fatalf("%+v came back as %+v (%v)", e, got, err)
		}
	})
}
