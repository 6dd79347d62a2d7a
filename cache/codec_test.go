package cache

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleEntries() []Entry {
	d := Digest(digestPrefix + strings.Repeat("0123456789abcdef", 4))
	return []Entry{
		{Digest: d, Size: 1000, FetchedAt: time.Unix(1700000000, 123456789)},
		{Digest: d, Size: 0, ContentType: "application/java-archive", ETag: `W/"x"`, LastModified: "Tue, 24 Nov 2026 05:23:49 GMT",
			FetchedAt: time.Unix(1, 0), Mutable: true, Private: true, Source: "http://127.0.0.1:9/x",
			Header: map[string]string{"Link": `</v2/a/tags/list?last=b>; rel="next"`, "Docker-Content-Digest": "sha256:ab"}},
		{Digest: d, Size: 1 << 40},                              // zero fetch time
		{Digest: d, Size: 1, FetchedAt: time.Unix(-5, 7)},       // before 1970: a negative varint
		{Digest: d, Size: 5, Header: map[string]string{"": ""}}, // empty strings survive
	}
}

func sameEntry(a, b Entry) bool {
	if !a.FetchedAt.Equal(b.FetchedAt) {
		return false
	}
	a.FetchedAt, b.FetchedAt = time.Time{}, time.Time{}
	if len(a.Header) == 0 && len(b.Header) == 0 {
		a.Header, b.Header = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

func TestEntryCodecRoundTrip(t *testing.T) {
	for _, e := range sampleEntries() {
		v, err := encodeEntry(e)
		if err != nil {
			t.Fatal(err)
		}
		if v[0] != entryVersion {
			t.Fatalf("%+v stored as %q, not the binary form", e, v)
		}
		got, err := decodeEntry(v)
		if err != nil {
			t.Fatalf("decode %+v: %v", e, err)
		}
		if !sameEntry(got, e) {
			t.Errorf("round trip changed the entry:\n got %+v\nwant %+v", got, e)
		}
		js, _ := json.Marshal(e)
		if len(v) >= len(js) {
			t.Errorf("binary form %d bytes, JSON %d", len(v), len(js))
		}
	}
}

// Entries written as JSON before the binary form existed still read.
func TestEntryCodecReadsJSON(t *testing.T) {
	for _, e := range sampleEntries() {
		js, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeEntry(js)
		if err != nil || !sameEntry(got, e) {
			t.Errorf("JSON entry read as %+v, %v; want %+v", got, err, e)
		}
	}
}

// Every cut of a valid value, and a byte too many, is refused rather than read
// as another entry.
func TestEntryCodecRefusesDamage(t *testing.T) {
	v, err := encodeEntry(sampleEntries()[1])
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(v); n++ {
		if _, err := decodeEntry(v[:n]); err == nil {
			t.Errorf("a value cut to %d of %d bytes decoded", n, len(v))
		}
	}
	if _, err := decodeEntry(append(v[:len(v):len(v)], 0)); err == nil {
		t.Error("a value with a trailing byte decoded")
	}
	bad := append([]byte{}, v...)
	bad[0] = 9
	if _, err := decodeEntry(bad); err == nil {
		t.Error("an unknown version decoded")
	}
}

func FuzzDecodeEntry(f *testing.F) {
	for _, e := range sampleEntries() {
		v, _ := encodeEntry(e)
		f.Add(v)
		js, _ := json.Marshal(e)
		f.Add(js)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		e, err := decodeEntry(v)
		if err != nil || len(v) == 0 || v[0] != entryVersion {
			return
		}
		// What decodes survives a rewrite unchanged.
		again, err := encodeEntry(e)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := decodeEntry(again); err != nil || !sameEntry(back, e) {
			t.Fatalf("%x decoded to %+v; rewritten, it reads %+v, %v", v, e, back, err)
		}
	})
}
