package rubygems

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

// bigInfo is an /info of n versions, each dated, the last ten young.
func bigInfo(n int) []byte {
	var b strings.Builder
	b.WriteString("---\n")
	for i := 0; i < n; i++ {
		created := "2020-01-01T00:00:00Z"
		if i >= n-10 {
			created = "2026-12-06T00:00:00Z"
		}
		fmt.Fprintf(&b, "1.%d.0 dep:>= 1.0&< 3,other:~> 2.1|checksum:%064d,ruby:>= 2.7,created_at:%s\n", i, i, created)
	}
	return []byte(b.String())
}

func BenchmarkFilterInfo(b *testing.B) {
	doc := bigInfo(1000)
	cut := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	judge := func(v string, released time.Time) gate.Reason {
		if released.After(cut) {
			return gate.Reason{Rule: "min_age", Detail: "72h0m0s"}
		}
		return gate.Reason{}
	}
	rt := formats.Route{TTLClass: "info"}
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, hidden, err := (Format{}).FilterVersions(rt, doc, judge); err != nil || len(hidden) != 10 {
			b.Fatal(hidden, err)
		}
	}
}

// A /versions of 50,000 gems, 100 of them held and filtered (their /info as a
// memo gives it, already filtered).
func BenchmarkFilterVersionsIndex(b *testing.B) {
	var v strings.Builder
	v.WriteString("created_at: 2026-01-01T00:00:00Z\n---\n")
	for i := 0; i < 50000; i++ {
		fmt.Fprintf(&v, "gem%d 1.0.0,1.1.0,1.2.0 %032d\n", i, i)
	}
	doc := []byte(v.String())
	held := []byte("---\n1.0.0 |\n1.1.0 |\n")
	hidden := []formats.Hidden{{Version: "1.2.0", Reason: gate.Reason{Rule: "min_age"}}}
	packageDoc := func(name string) ([]byte, []formats.Hidden, bool) {
		if len(name) == 5 { // gem10..gem99 and a few: about a hundred
			return held, hidden, true
		}
		return nil, nil, false
	}
	judge := func(string, string, time.Time) gate.Reason { return gate.Reason{} }
	rt := formats.Route{Kind: formats.Metadata, TTLClass: "versions", Key: "versions"}
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, h, err := (Format{}).FilterIndex(rt, doc, judge, packageDoc); err != nil || len(h) == 0 {
			b.Fatal(err)
		}
	}
}
