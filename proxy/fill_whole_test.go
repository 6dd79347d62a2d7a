package proxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"hoard/cache"
	"hoard/formats"
)

// A small body, verified in memory, is answered while its commit (fsyncs and the
// index write) has not even started; a Range request waits for the commit.
func TestSmallBodyAnsweredBeforeItsCommit(t *testing.T) {
	env := newEnv(t, newOrigin(t))
	m := env.srv.mounts["maven"]
	body := []byte("<metadata><versioning/></metadata>\n")
	sum := sha256.Sum256(body)
	entry := cache.Entry{
		Key: env.key(metaPath), ContentType: "text/xml", Size: int64(len(body)),
		Digest: cache.Digest("sha256:" + hex.EncodeToString(sum[:])), Mutable: true,
	}
	f := newFill(entry.Key)
	f.publishWhole(entry, body)
	rt := formats.Route{Kind: formats.Metadata, Key: metaPath, Path: metaPath}

	rec := httptest.NewRecorder()
	env.srv.engine.serveFill(rec, httptest.NewRequest(http.MethodGet, "/maven"+metaPath, nil), m, rt, f, nil)
	if rec.Code != http.StatusOK || rec.Body.String() != string(body) {
		t.Fatalf("got %d %q, want 200 and the body", rec.Code, rec.Body.String())
	}
	if got, want := rec.Header().Get("ETag"), `"`+hex.EncodeToString(sum[:])+`"`; got != want {
		t.Errorf("ETag = %s, want %s", got, want)
	}
	if got := rec.Header().Get("X-Hoard-Cache"); got != resultMiss {
		t.Errorf("X-Hoard-Cache = %q, want miss", got)
	}
	select {
	case <-f.done:
		t.Fatal("the fill ended: the test needs it still committing")
	default:
	}

	ranged := make(chan *httptest.ResponseRecorder)
	go func() {
		r := httptest.NewRequest(http.MethodGet, "/maven"+metaPath, nil)
		r.Header.Set("Range", "bytes=0-9")
		rec := httptest.NewRecorder()
		env.srv.engine.serveFill(rec, r, m, rt, f, nil)
		ranged <- rec
	}()
	select {
	case <-ranged:
		t.Fatal("a Range request was answered before the commit")
	case <-time.After(50 * time.Millisecond):
	}
	f.commit(func() (cache.Entry, error) { return entry, nil })
	rec = <-ranged
	if rec.Code != http.StatusPartialContent || rec.Body.String() != string(body[:10]) {
		t.Errorf("range: got %d %q, want 206 %q", rec.Code, rec.Body.String(), body[:10])
	}
}

// A publish or delete of a key supersedes the fills in flight for it: one that has
// not begun its commit never commits, newcomers start a fill of their own, and a
// commit already under way is waited for, so the publisher's index change lands last.
func TestPublishSupersedesFillsInFlight(t *testing.T) {
	var g fillGroup
	f, _ := g.join("k", "caller")
	g.supersede("k")
	if f2, leader := g.join("k", "caller"); !leader || f2 == f {
		t.Fatal("a request after the supersede joined the old fill")
	}
	committed := false
	f.commit(func() (cache.Entry, error) { committed = true; return cache.Entry{}, nil })
	if s := f.snapshot(); committed || s.outcome != outcomeFailed || !errors.Is(s.err, errSuperseded) {
		t.Fatalf("superseded fill: committed=%v outcome=%v err=%v", committed, s.outcome, s.err)
	}

	var g2 fillGroup
	f, _ = g2.join("k", "caller")
	inCommit, release := make(chan struct{}), make(chan struct{})
	go f.commit(func() (cache.Entry, error) { close(inCommit); <-release; return cache.Entry{Key: "k"}, nil })
	<-inCommit
	superseded := make(chan struct{})
	go func() { g2.supersede("k"); close(superseded) }()
	select {
	case <-superseded:
		t.Fatal("supersede returned while a commit was still running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-superseded
	if s := f.snapshot(); s.outcome != outcomeStored {
		t.Fatalf("the commit under way should finish as stored, got %v", s.outcome)
	}
}

// A caller that misses a key whose fill has answered its own clients and is still
// committing waits for that commit (and then finds the entry) instead of fetching
// again; once the commit is done there is nothing to wait for.
func TestMissWaitsForASettlingCommit(t *testing.T) {
	var g fillGroup
	f, _ := g.join("k", "alice")
	g.settle(f)
	waited := make(chan bool)
	go func() { waited <- g.awaitSettling(context.Background(), "k") }()
	select {
	case <-waited:
		t.Fatal("returned before the commit")
	case <-time.After(50 * time.Millisecond):
	}
	f.commit(func() (cache.Entry, error) { return cache.Entry{Key: "k"}, nil })
	if !<-waited {
		t.Error("awaitSettling did not report its wait")
	}
	if g.awaitSettling(context.Background(), "k") {
		t.Error("a committed fill is still settling")
	}
	if g.awaitSettling(context.Background(), "other") {
		t.Error("waited for a key nobody fills")
	}
}

// TestCommitWaitsForWholeAnswers: a commit waits for the clients writing a body
// held whole to be done with it, and for no longer than its bound when one is
// slow.
func TestCommitWaitsForWholeAnswers(t *testing.T) {
	f := newFill("k")
	f.awaitWholeWritten(time.Hour) // no client writing: returns at once

	f.beginWhole()
	f.beginWhole()
	done := make(chan struct{})
	go func() { f.awaitWholeWritten(time.Hour); close(done) }()
	f.endWhole()
	select {
	case <-done:
		t.Fatal("the commit went ahead with a client still writing")
	case <-time.After(20 * time.Millisecond):
	}
	f.endWhole()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the commit still waits after every client was done")
	}

	f.beginWhole() // a client that never finishes
	began := time.Now()
	f.awaitWholeWritten(30 * time.Millisecond)
	if waited := time.Since(began); waited < 30*time.Millisecond {
		t.Errorf("waited %v for a slow client, want the bound", waited)
	}
}
