package proxy

import (
	"testing"
	"time"

	"hoard/formats/npm"
	policygate "hoard/policy/gate"
)

// BenchmarkNpmFilterBig: filtering the big packument by a min_age that hides its
// newest versions, as every answer under such a policy does.
func BenchmarkNpmFilterBig(b *testing.B) {
	rt := npmRoute(b, "/big")
	doc, err := npm.New().Rewrite(rt, bigRegistry(b).Packument("big", false), "http://hoard.test/npm")
	if err != nil {
		b.Fatal(err)
	}
	times := npm.New().ReleaseTimes(doc)
	var newest time.Time
	for _, t := range times {
		if t.After(newest) {
			newest = t
		}
	}
	g, err := policygate.Compile("policy", policygate.Spec{MinAge: time.Hour}, npm.Versions{})
	if err != nil {
		b.Fatal(err)
	}
	now := newest.Add(30 * time.Minute) // the newest versions are under an hour old
	judge := func(v string, t time.Time) policygate.Reason {
		return g.Decide(policygate.Version{Name: "big", Version: v, Time: t}, now)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := npm.New().FilterVersions(rt, doc, judge); err != nil {
			b.Fatal(err)
		}
	}
}
