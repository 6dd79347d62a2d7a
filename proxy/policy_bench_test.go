package proxy

import (
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/configs"
	"hoard/formats"

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

// BenchmarkNpmFilteredAnswerBig: a client's GET of the big packument under a
// min_age that hides its newest versions, through the server, with the filtered
// document filtered on every answer (uncached) and kept between answers
// (cached, as served).
func BenchmarkNpmFilteredAnswerBig(b *testing.B) {
	reg := bigRegistry(b)
	doc := reg.Packument("big", false)
	var newest time.Time
	for _, t := range npm.New().ReleaseTimes(doc) {
		if t.After(newest) {
			newest = t
		}
	}
	for _, c := range []struct {
		name  string
		limit int64
	}{{"uncached", 0}, {"cached", filteredMemory}} {
		b.Run(c.name, func(b *testing.B) {
			n := newNpmEnvWith(b, reg)
			n.cfg.Mounts[0].Policy.MinAge = configs.Age(time.Hour)
			srv, hs, clock := startServerFormats(b, n.store, n.cfg, zerolog.Nop(), map[string]formats.Format{"npm": npm.New()})
			clock.mu.Lock()
			clock.now = newest.Add(30 * time.Minute) // the newest versions are under an hour old
			clock.mu.Unlock()
			srv.filters = newFilterCache(c.limit)
			url := hs.URL + "/npm/big"
			getDiscarding(b, url, len(doc)) // filled once, before timing
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				getDiscarding(b, url, len(doc))
			}
		})
	}
}
