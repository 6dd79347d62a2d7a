package npm

import (
	"bytes"
	"maps"
	"testing"

	"hoard/bench/npmreg"
	"hoard/formats"
)

// generated is a packument in the shape of a real one, as the benchmarks fetch.
func generated(t testing.TB, versions int) []byte {
	reg, err := npmreg.NewBigRegistry(npmreg.BigSpec{Name: "tool", Versions: versions})
	if err != nil {
		t.Fatal(err)
	}
	return reg.Packument("tool", false)
}

// toolBase is the public URL these tests rewrite to.
const toolBase = "http://hoard.test/npm"

// rewriteSums is RewriteSums of doc, the tool packument, failing t on an error.
func rewriteSums(t *testing.T, doc []byte) ([]byte, map[string]formats.Checksum) {
	t.Helper()
	out, sums, err := New().RewriteSums(packument("tool", false), doc, toolBase)
	if err != nil {
		t.Fatal(err)
	}
	return out, sums
}

// RewriteSums gives, in one pass, the bytes Rewrite gives and the table Sums
// reads from them, with an entry for every version.
func TestRewriteSumsIsRewriteThenSums(t *testing.T) {
	rt := packument("tool", false)
	doc := generated(t, 31)
	out, sums := rewriteSums(t, doc)
	want, err := New().Rewrite(rt, doc, toolBase)
	if err != nil || !bytes.Equal(out, want) {
		t.Fatalf("rewritten bytes differ from Rewrite's (%v)", err)
	}
	wantSums, err := New().Sums(rt, want, toolBase)
	if err != nil || !maps.Equal(sums, wantSums) {
		t.Fatalf("table %v, Sums of the output %v (%v)", sums, wantSums, err)
	}
	if len(sums) != 31 {
		t.Errorf("table has %d entries, want one per version (31)", len(sums))
	}
	if _, _, err := New().RewriteSums(rt, append(doc, '}'), toolBase); err == nil {
		t.Error("a document with trailing data was rewritten")
	}
}

// RewritePieces gives, joined, what RewriteSums gives, and keeps the document's
// own bytes by reference rather than copying them.
func TestRewritePiecesJoinToRewriteSums(t *testing.T) {
	rt := packument("tool", false)
	doc := generated(t, 31)
	pieces, sums, err := New().RewritePieces(rt, doc, toolBase)
	if err != nil {
		t.Fatal(err)
	}
	want, wantSums := rewriteSums(t, doc)
	if joined := bytes.Join(pieces, nil); !bytes.Equal(joined, want) {
		t.Fatalf("joined pieces (%d bytes) differ from RewriteSums' output (%d bytes)", len(joined), len(want))
	}
	if !maps.Equal(sums, wantSums) {
		t.Fatalf("table %v, RewriteSums' %v", sums, wantSums)
	}
	if first := pieces[0]; &first[0] != &doc[0] {
		t.Error("the first piece is a copy, not the document's own bytes")
	}
	for i, p := range pieces {
		if len(p) == 0 {
			t.Errorf("piece %d is empty", i)
		}
	}
	untouched := []byte(`{"name":"tool","versions":{}}`)
	if pieces, _, err := New().RewritePieces(rt, untouched, toolBase); err != nil || len(pieces) != 1 || !bytes.Equal(pieces[0], untouched) {
		t.Errorf("a document with nothing to rewrite gave %q (%v), want itself as one piece", pieces, err)
	}
	if _, _, err := New().RewritePieces(rt, append(doc, '}'), toolBase); err == nil {
		t.Error("a document with trailing data was rewritten")
	}
}

// BenchmarkRewritePackument: a cold miss reads a packument once (RewriteSums)
// where it used to read it three times (json.Valid, Rewrite, Sums); a big one
// is not joined into a second buffer (RewritePieces).
func BenchmarkRewritePackument(b *testing.B) {
	rt := packument("tool", false)
	for _, c := range []struct {
		label    string
		versions int
	}{{"200KB", 31}, {"5MB", 800}} {
		doc := generated(b, c.versions)
		b.Run(c.label+"/RewriteSums", func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, _, err := New().RewriteSums(rt, doc, toolBase); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.label+"/RewritePieces", func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, _, err := New().RewritePieces(rt, doc, toolBase); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.label+"/Rewrite+Sums", func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				out, err := New().Rewrite(rt, doc, toolBase)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := New().Sums(rt, out, toolBase); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
