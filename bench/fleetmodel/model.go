// Package fleetmodel is the paper model of a fleet of Hoards, and a simulation
// that checks it: how many requests reach the upstream (GitHub), and how many
// bytes leave it, when CI runners in several regions fetch packages through no
// cache, through N independent nodes per region, through N nodes per region
// that share one bucket, or through regional fleets chained to one central Hoard.
//
// The model: every request picks an artifact from a Zipf popularity law over M
// artifacts (p_i proportional to 1/i^s). Caches hold the period's working set
// (the disk budget is sized for it; eviction is left out). A cache that sees n
// requests fetches each artifact it sees at least once, so it costs the upstream
// the expected number of distinct artifacts among n draws:
//
//	D(n) = sum_i 1 - (1 - p_i)^n
//
// A region of r requests spread over N independent nodes costs N*D(r/N); one
// bucket shared by those nodes costs D(r) (a cold fill is one lease, one
// upstream GET); regions chained to one central Hoard cost D(total).
package fleetmodel

import (
	"math"
)

// Params describe the fleet and its workload.
type Params struct {
	Runners       int       // CI runners, in all regions
	RegionShares  []float64 // share of the runners in each region (sums to 1)
	JobsPerDay    int       // builds one runner runs in the period modelled
	FetchesPerJob int       // artifacts one build fetches (a lockfile's worth)
	Artifacts     int       // distinct artifact versions in the popularity law
	ZipfS         float64   // exponent of the popularity law
	// Size of artifact i: log-normal with this median (bytes) and sigma, drawn
	// once per artifact from Seed.
	MedianBytes float64
	SizeSigma   float64
	Seed        uint64
}

// Default is the 10,000-runner fleet of the README.
func Default() Params {
	return Params{Runners: 10_000, RegionShares: []float64{0.5, 0.3, 0.2}, JobsPerDay: 20, FetchesPerJob: 150,
		Artifacts: 1_000_000, ZipfS: 1.0, MedianBytes: 40 << 10, SizeSigma: 1.5, Seed: 1}
}

// Requests is the period's total number of artifact fetches.
func (p Params) Requests() float64 {
	return float64(p.Runners) * float64(p.JobsPerDay) * float64(p.FetchesPerJob)
}

// Strategy is a way of serving the runners.
type Strategy int

const (
	Direct   Strategy = iota // every runner fetches from GitHub
	Isolated                 // N nodes per region, each with its own cache
	Shared                   // N nodes per region sharing one bucket
	Chained                  // regional fleets in front of one central Hoard
)

func (s Strategy) String() string {
	return [...]string{"direct to GitHub", "N isolated nodes per region", "N nodes per region, one shared bucket", "regional fleets chained to a central Hoard"}[s]
}

// Result is what one strategy costs the upstream in the period.
type Result struct {
	Upstream float64 // requests that reach GitHub
	Egress   float64 // bytes that leave GitHub
	HitRatio float64 // share of runner requests the fleet answers
}

// Law is a Zipf law over Params.Artifacts with the artifacts' sizes.
type Law struct {
	p     []float64 // probability of artifact i
	cdf   []float64
	sizes []float64
}

// NewLaw computes the probabilities and draws the sizes.
func NewLaw(p Params) *Law {
	l := &Law{p: make([]float64, p.Artifacts), cdf: make([]float64, p.Artifacts), sizes: make([]float64, p.Artifacts)}
	var sum float64
	for i := range l.p {
		l.p[i] = 1 / math.Pow(float64(i+1), p.ZipfS)
		sum += l.p[i]
	}
	var acc float64
	rng := newRNG(p.Seed)
	for i := range l.p {
		l.p[i] /= sum
		acc += l.p[i]
		l.cdf[i] = acc
		l.sizes[i] = p.MedianBytes * math.Exp(p.SizeSigma*rng.normal())
	}
	return l
}

// distinct is D(n) and the bytes of those artifacts: sum_i (1-(1-p_i)^n) * size_i.
func (l *Law) distinct(n float64) (count, bytes float64) {
	for i, p := range l.p {
		// (1-p)^n as exp(n*log1p(-p)): exact for the tiny p of the tail.
		seen := -math.Expm1(n * math.Log1p(-p))
		count += seen
		bytes += seen * l.sizes[i]
	}
	return count, bytes
}

// meanSize is the expected size of one request's artifact.
func (l *Law) meanSize() float64 {
	var m float64
	for i, p := range l.p {
		m += p * l.sizes[i]
	}
	return m
}

// Model is the closed form for one strategy with n nodes per region.
func Model(p Params, l *Law, s Strategy, n int) Result {
	total := p.Requests()
	var up, eg float64
	switch s {
	case Direct:
		up, eg = total, total*l.meanSize()
	case Isolated, Shared:
		for _, share := range p.RegionShares {
			r := total * share
			if s == Isolated {
				c, b := l.distinct(r / float64(n))
				up, eg = up+float64(n)*c, eg+float64(n)*b
			} else {
				c, b := l.distinct(r)
				up, eg = up+c, eg+b
			}
		}
	case Chained:
		up, eg = l.distinct(total)
	}
	return Result{Upstream: up, Egress: eg, HitRatio: 1 - up/total}
}
