package conformance

import (
	"sort"

	"hoard/formats"
)

// Trait is what a format answers yes of a route through one of the optional
// interfaces that refine a route beyond its kind, asked off a hit's path.
type Trait string

const (
	// ReadsWhole: formats.WholeReader, immutable content read whole and checked by
	// the format's Rewriter before it is cached (an OCI manifest, a NuGet .nupkg).
	ReadsWhole Trait = "reads-whole"
	// Removes: formats.Remover, a write that removes content and needs the delete
	// scope (npm's PUT of NAME/-rev/REV).
	Removes Trait = "removes"
	// RewritesPassthrough: formats.PassthroughRewriter, a forwarded answer rewritten
	// before it is relayed (npm's ?write=true packument).
	RewritesPassthrough Trait = "rewrites-passthrough"
)

var allTraits = []Trait{ReadsWhole, Removes, RewritesPassthrough}

// traitsOf is what f answers of rt, for every trait.
func traitsOf(f formats.Format, rt formats.Route) map[Trait]bool {
	out := map[Trait]bool{}
	if w, ok := f.(formats.WholeReader); ok {
		out[ReadsWhole] = w.ReadsWhole(rt)
	}
	if rm, ok := f.(formats.Remover); ok {
		out[Removes] = rm.Removes(rt)
	}
	if pr, ok := f.(formats.PassthroughRewriter); ok {
		out[RewritesPassthrough] = pr.RewritesPassthrough(rt)
	}
	return out
}

// checkTraits: the format answers yes, through the interfaces that refine a route,
// for exactly the samples the subject lists in Traits (by "METHOD PATH"), and each
// trait for routes of the kinds the engine asks it of. A trait answered for the
// wrong requests would read a tarball whole, let a removal through on the write
// scope, or rewrite a search's answer.
func checkTraits(t T, s Subject) {
	t.Helper()
	f := s.New()
	seen := map[string]bool{}
	for _, sm := range s.Samples {
		rt, err := route(f, sm.Request)
		if err != nil {
			continue // classification reports it
		}
		name := describe(sm.Request)
		seen[name] = true
		want := map[Trait]bool{}
		for _, tr := range s.Traits[name] {
			want[tr] = true
		}
		got := traitsOf(f, rt)
		for _, tr := range allTraits {
			if got[tr] != want[tr] {
				t.Errorf("%s: %s is %v, want %v", name, tr, got[tr], want[tr])
			}
			if got[tr] && !traitFits(tr, rt.Kind) {
				t.Errorf("%s: %s said of a %v route, which the engine never asks it of", name, tr, rt.Kind)
			}
		}
	}
	names := make([]string, 0, len(s.Traits))
	for name := range s.Traits {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !seen[name] {
			t.Errorf("traits are listed for %q, which no sample routes", name)
		}
	}
}

// traitFits: the kinds of route the engine asks each trait of.
func traitFits(tr Trait, k formats.Kind) bool {
	switch tr {
	case ReadsWhole:
		return isRead(k)
	case Removes:
		return k == formats.Publish || k == formats.Passthrough
	case RewritesPassthrough:
		return k == formats.Passthrough
	}
	return false
}
