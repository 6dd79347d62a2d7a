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
