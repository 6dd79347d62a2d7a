package proxy

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"hoard/bench/npmreg"
	"hoard/formats"
	"hoard/formats/npm"
)

// TestBigPackumentStreamedFromItsPieces: a packument over piecedDocMin is
// answered with the bytes a whole rewrite gives, its length declared, then served
// from the cache with its table, as a smaller one is.
func TestBigPackumentStreamedFromItsPieces(t *testing.T) {
	n := newNpmEnv(t, npmreg.BigSpec{Name: "big", Versions: 300, ReadmeBytes: 1 << 20})
	doc := n.reg.Packument("big", false)
	if len(doc) < piecedDocMin {
		t.Fatalf("the generated packument is only %d bytes", len(doc))
	}
	var pieced atomic.Int64
	base := n.serve(piecesCounted{npm.New(), &pieced})
	want, err := npm.New().Rewrite(npmRoute(t, "/big"), doc, n.public)
	if err != nil {
		t.Fatal(err)
	}
	cold := getOK(t, base+"/big")
	if !bytes.Equal(cold.body, want) {
		t.Fatalf("cold answer: %d bytes, not the %d of its rewrite", len(cold.body), len(want))
	}
	if pieced.Load() != 1 {
		t.Errorf("the document was rewritten in pieces %d times, want once", pieced.Load())
	}
	if got := cold.header.Get("Content-Length"); got != strconv.Itoa(len(want)) {
		t.Errorf("cold answer declared Content-Length %q, want %d", got, len(want))
	}
	// Asked again at once, while the commit may still run: no second fetch.
	before := n.reg.Requests()
	again := getOK(t, base+"/big")
	if !bytes.Equal(again.body, want) || n.reg.Requests() != before {
		t.Fatalf("second GET: same bytes %v, upstream requests %d -> %d",
			bytes.Equal(again.body, want), before, n.reg.Requests())
	}
	// The table was committed with the document: the tarball is checked against it.
	v := npmreg.Version(150)
	mustGet(t, base+"/big/-/big-"+v+".tgz", n.reg.Tarball("big", v))
}

// piecesCounted is the npm format with a count of its rewrites in pieces.
type piecesCounted struct {
	npm.Format
	n *atomic.Int64
}

func (c piecesCounted) RewritePieces(rt formats.Route, body []byte, base string) ([][]byte, map[string]formats.Checksum, error) {
	c.n.Add(1)
	return c.Format.RewritePieces(rt, body, base)
}

// TestBigBrokenPackumentIsRefusedWhole: a big document that is not JSON only at
// its last byte is a 502 before any byte goes out, and is not cached.
func TestBigBrokenPackumentIsRefusedWhole(t *testing.T) {
	reg, err := npmreg.NewBigRegistry(npmreg.BigSpec{Name: "big", Versions: 300, ReadmeBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	broken := append(bytes.Clone(reg.Packument("big", false)), '}')
	var asked atomic.Int64
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(broken)
	}))
	t.Cleanup(origin.Close)
	n := newNpmEnvAt(t, reg, origin.URL)
	var pieced atomic.Int64
	base := n.serve(piecesCounted{npm.New(), &pieced})
	for i := 1; i <= 2; i++ {
		got := get(t, base+"/big")
		if got.status != http.StatusBadGateway || got.readErr != nil {
			t.Fatalf("GET %d: status %d, read error %v; want a whole 502", i, got.status, got.readErr)
		}
		if asked.Load() != int64(i) {
			t.Fatalf("after GET %d the upstream was asked %d times: the broken document was kept", i, asked.Load())
		}
	}
	if pieced.Load() != 2 {
		t.Errorf("the document was rewritten in pieces %d times, want 2", pieced.Load())
	}
}

// TestBigPackumentsRecycleTheirBuffers: big documents filled one after another
// and side by side, each read into a buffer the one before gave back, are
// answered and cached as their own bytes, and their tables check their own
// tarballs.
func TestBigPackumentsRecycleTheirBuffers(t *testing.T) {
	var specs []npmreg.BigSpec
	for i := range 4 {
		specs = append(specs, npmreg.BigSpec{Name: fmt.Sprintf("big%d", i), Versions: 200 + 10*i, ReadmeBytes: 1 << 20})
	}
	reg, err := npmreg.NewBigRegistry(specs...)
	if err != nil {
		t.Fatal(err)
	}
	n := newNpmEnvWith(t, reg)
	base := n.serve(npm.New())
	want := func(name string) []byte {
		out, err := npm.New().Rewrite(npmRoute(t, "/"+name), reg.Packument(name, false), n.public)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	check := func(name string) {
		got := get(t, base+"/"+name)
		if !got.clean() || !bytes.Equal(got.body, want(name)) {
			t.Errorf("%s: status %d, %d bytes, not its own rewrite", name, got.status, len(got.body))
		}
	}
	inTurnThenTogether(specs, 2, check)
	for _, s := range specs {
		v := npmreg.Version(s.Versions - 1)
		mustGet(t, base+"/"+s.Name+"/-/"+s.Name+"-"+v+".tgz", reg.Tarball(s.Name, v))
	}
}

// inTurnThenTogether checks the first n documents one after another, the rest
// side by side, then every one again (from the cache).
func inTurnThenTogether(specs []npmreg.BigSpec, n int, check func(name string)) {
	for _, s := range specs[:n] {
		check(s.Name)
	}
	var wg sync.WaitGroup
	for _, s := range specs[n:] {
		wg.Go(func() { check(s.Name) })
	}
	wg.Wait()
	for _, s := range specs {
		check(s.Name)
	}
}
