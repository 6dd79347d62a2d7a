package proxy

import (
	"bytes"
	"fmt"
	"testing"
	"unsafe"

	"github.com/rs/zerolog"

	"hoard/bench/npmreg"
	"hoard/formats"
	"hoard/formats/npm"
)

// TestWarmBuffersHandEachOutOnce: a class taken from is readied by prewarm,
// with its pages written; the next take of that class gets that buffer, cut
// to its length and capacity, and the one after gets a new one.
func TestWarmBuffersHandEachOutOnce(t *testing.T) {
	var b warmBuffers
	first := b.take(200_000)
	if len(first) != 200_000 || b.warmed != 0 {
		t.Fatalf("first take: %d bytes, %d warmed", len(first), b.warmed)
	}
	b.prewarm()
	class := docClass(200_000)
	ready := b.ready[class]
	if b.held != class || int64(cap(ready)) != class || ready[0] != 1 || ready[len(ready)-4096] != 1 {
		t.Fatalf("after prewarm: held %d of class %d, ready cap %d", b.held, class, cap(ready))
	}
	if docClass(210_000) != class {
		t.Fatal("the test's sizes are not of one class")
	}
	second := b.take(210_000)
	if unsafe.SliceData(second) != unsafe.SliceData(ready) || len(second) != 210_000 || cap(second) != 210_000 {
		t.Fatalf("second take: %d bytes (cap %d), not the ready buffer", len(second), cap(second))
	}
	third := b.take(210_000)
	if unsafe.SliceData(third) == unsafe.SliceData(second) || b.warmed != 1 || b.held != 0 {
		t.Fatalf("third take shares the second's buffer, or %d warmed, %d held", b.warmed, b.held)
	}
	b.prewarm()
	b.prewarm() // nothing wanted now: no second buffer of the class
	if b.held != class || len(b.ready) != 1 {
		t.Fatalf("after two prewarms: held %d, %d ready", b.held, len(b.ready))
	}
}

// TestWarmBuffersStayWithinTheirBound: however many classes are wanted, what
// waits in them stays within warmBuffersMax.
func TestWarmBuffersStayWithinTheirBound(t *testing.T) {
	var b warmBuffers
	for n := int64(docBufferMin); n < 8<<20; n = n * 9 / 8 {
		b.take(n)
	}
	b.prewarm()
	if b.held > warmBuffersMax || b.held == 0 {
		t.Fatalf("held %d bytes, bound %d", b.held, warmBuffersMax)
	}
	total := int64(0)
	for class, buf := range b.ready {
		if int64(cap(buf)) != class {
			t.Errorf("class %d holds a buffer of %d", class, cap(buf))
		}
		total += class
	}
	if total != b.held {
		t.Errorf("ready buffers sum to %d, held says %d", total, b.held)
	}
}

// TestWarmJoin: pieces join to their concatenation, in a buffer of the
// warm classes when big enough; one piece is returned as it is.
func TestWarmJoin(t *testing.T) {
	var b warmBuffers
	one := []byte("only")
	if got := b.join([][]byte{one}); unsafe.SliceData(got) != unsafe.SliceData(one) {
		t.Error("one piece was copied")
	}
	for _, size := range []int{10, docBufferMin - 1, docBufferMin, 300_000} {
		var pieces [][]byte
		for i := 0; i < size; i += 7_000 {
			pieces = append(pieces, bytes.Repeat([]byte{byte('a' + i%26)}, min(7_000, size-i)))
		}
		pieces = append(pieces, []byte("end"))
		if got := b.join(pieces); !bytes.Equal(got, bytes.Join(pieces, nil)) {
			t.Errorf("%d bytes: the join is not the pieces' concatenation", size)
		}
	}
	if len(b.wanted) != 2 {
		t.Errorf("%d classes wanted, want the two joins of %d bytes or more", len(b.wanted), docBufferMin)
	}
}

// TestPackumentsJoinedInWarmBuffers: packuments of one size class, filled one
// after another and then side by side, are each answered with their own
// rewrite; from the second on, the rewrite is joined in a buffer readied once
// the document before it was committed.
func TestPackumentsJoinedInWarmBuffers(t *testing.T) {
	var specs []npmreg.BigSpec
	for i := range 6 {
		specs = append(specs, npmreg.BigSpec{Name: fmt.Sprintf("doc%d", i), Versions: 31})
	}
	reg, err := npmreg.NewBigRegistry(specs...)
	if err != nil {
		t.Fatal(err)
	}
	if size := len(reg.Packument("doc0", false)); size < docBufferMin || size >= piecedDocMin {
		t.Fatalf("the generated packument is %d bytes, not one answered from memory", size)
	}
	n := newNpmEnvWith(t, reg)
	srv, hs, _ := startServerFormats(t, n.store, n.cfg, zerolog.Nop(), map[string]formats.Format{"npm": npm.New()})
	public := srv.engine.mountURL(srv.mounts["npm"])
	check := func(name string) {
		want, err := npm.New().Rewrite(npmRoute(t, "/"+name), reg.Packument(name, false), public)
		if err != nil {
			t.Error(err)
			return
		}
		got := get(t, hs.URL+"/npm/"+name)
		if !got.clean() || !bytes.Equal(got.body, want) {
			t.Errorf("%s: status %d, %d bytes, not its own rewrite", name, got.status, len(got.body))
		}
	}
	inTurnThenTogether(specs, 3, check)
	w := &srv.engine.warm
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.warmed < 2 {
		t.Errorf("%d rewrites were joined in a warm buffer, want at least doc1's and doc2's", w.warmed)
	}
}
