package cache

import (
	"testing"
)

// waitPrepared waits for a started Prepared's file to exist, as a fill's
// upstream wait would, and returns the files in tmp.
func waitPrepared(t *testing.T, s *Store, p *Prepared) []string {
	t.Helper()
	r := <-p.ready
	p.ready <- r // put it back for take or Discard
	if r.err != nil {
		t.Fatalf("prepare: %v", r.err)
	}
	return tmpFiles(t, s)
}

func TestPreparedFileIsTheWritersAndCommits(t *testing.T) {
	s := openTest(t, Options{})
	p := s.Prepare()
	p.Start()
	p.Start() // a second request sent by the same fill changes nothing
	files := waitPrepared(t, s, p)
	if len(files) != 1 {
		t.Fatalf("tmp holds %v, want the one prepared file", files)
	}
	w, err := s.NewWriter(WriterOptions{ExpectedSize: 5, Prepared: p})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()
	if w.Path() != files[0] {
		t.Fatalf("writer writes %s, want the prepared %s", w.Path(), files[0])
	}
	if _, err := w.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit("k", Entry{}); err != nil {
		t.Fatal(err)
	}
	p.Discard() // after a take: nothing to remove, and no wait
	if left := tmpFiles(t, s); len(left) != 0 {
		t.Fatalf("tmp holds %v after the commit", left)
	}
	e, err := s.Lookup("k")
	if err != nil || e.Size != 5 {
		t.Fatalf("Lookup = %+v, %v", e, err)
	}
}

func TestPreparedFileDiscarded(t *testing.T) {
	s := openTest(t, Options{})
	p := s.Prepare()
	p.Start()
	if files := waitPrepared(t, s, p); len(files) != 1 {
		t.Fatalf("tmp holds %v, want the one prepared file", files)
	}
	p.Discard()
	if left := tmpFiles(t, s); len(left) != 0 {
		t.Fatalf("tmp holds %v after Discard", left)
	}
	p.Start() // too late: a discarded Prepared creates nothing
	if left := tmpFiles(t, s); len(left) != 0 {
		t.Fatalf("tmp holds %v after a Start past Discard", left)
	}
	// A Writer given a discarded Prepared makes its own file.
	w, err := s.NewWriter(WriterOptions{ExpectedSize: -1, Prepared: p})
	if err != nil {
		t.Fatal(err)
	}
	w.Cancel()
}

func TestPreparedNeverStarted(t *testing.T) {
	s := openTest(t, Options{})
	p := s.Prepare()
	// The upstream's transport never reported a request sent: the Writer
	// creates its file itself, and Discard has nothing to wait for.
	w, err := s.NewWriter(WriterOptions{ExpectedSize: -1, Prepared: p})
	if err != nil {
		t.Fatal(err)
	}
	if files := tmpFiles(t, s); len(files) != 1 || files[0] != w.Path() {
		t.Fatalf("tmp holds %v, want only the writer's %s", files, w.Path())
	}
	w.Cancel()
	p.Discard()
	var none *Prepared // a read-only store's
	none.Start()
	none.Discard()
	if left := tmpFiles(t, s); len(left) != 0 {
		t.Fatalf("tmp holds %v", left)
	}
}

func TestReadOnlyStorePreparesNothing(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, Options{Dir: dir})
	_ = s.Close()
	ro := openTest(t, Options{Dir: dir, ReadOnly: true})
	if p := ro.Prepare(); p != nil {
		t.Fatalf("read-only Prepare = %v, want nil", p)
	}
}
