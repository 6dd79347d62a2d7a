package proxy

import "testing"

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
