package proxy

import (
	"bytes"
	"testing"
)

// countedWrites records what writePieces writes, and how.
type countedWrites struct {
	bytes.Buffer
	writes int
}

func (c *countedWrites) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

// TestWritePiecesGathersSmallOnes: many small pieces cost a few writes, a piece
// bigger than the buffer goes as it is, and every byte arrives in order, reported
// once.
func TestWritePiecesGathersSmallOnes(t *testing.T) {
	var pieces [][]byte
	for i := range 5000 {
		pieces = append(pieces, bytes.Repeat([]byte{byte('a' + i%26)}, 1+i%300))
	}
	pieces = append(pieces, bytes.Repeat([]byte{'Z'}, 600<<10))
	pieces = append(pieces, []byte("tail"))
	var out countedWrites
	reported := 0
	if err := writePieces(&out, pieces, func(n int) { reported += n }); err != nil {
		t.Fatal(err)
	}
	want := bytes.Join(pieces, nil)
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("wrote %d bytes, not the %d of the pieces in order", out.Len(), len(want))
	}
	if reported != len(want) {
		t.Errorf("reported %d bytes written, want %d", reported, len(want))
	}
	if out.writes > 8 {
		t.Errorf("%d writes for %d pieces (%d bytes)", out.writes, len(pieces), len(want))
	}
}

// TestDocBuffersByClass: a buffer given back serves the next document of its
// class, whatever its exact size, and never a bigger one.
func TestDocBuffersByClass(t *testing.T) {
	const size = 5_103_733
	first := docBuffer(size)
	if len(first) != size || int64(cap(first)) != docClass(size) {
		t.Fatalf("len %d cap %d, want %d and %d", len(first), cap(first), size, docClass(size))
	}
	if c := docClass(size); c < size || c > size+size/8 {
		t.Fatalf("class of %d is %d: not within an eighth above it", size, c)
	}
	giveDocBuffer(first)
	var again []byte
	for range 10 { // sync.Pool may drop what it was given; it rarely does twice
		if again = docBuffer(size - 1000); within(again, first) {
			break
		}
		giveDocBuffer(again)
		giveDocBuffer(first)
	}
	if !within(again, first) || len(again) != size-1000 {
		t.Fatalf("a document of the same class got a fresh buffer (len %d)", len(again))
	}
	if bigger := docBuffer(docClass(size) + 1); within(bigger, first) {
		t.Fatal("a bigger document got a buffer too small for it")
	}
	if docBuffer(docBufferMin-1) != nil || docBuffer(-1) != nil {
		t.Error("a small or unknown length got a pooled buffer")
	}
}
