package fleetmodel

import (
	"math"
	"math/bits"
	"sort"
)

// Simulate draws every request of the period and counts, per strategy, the
// upstream fetches a cache of each kind makes: the check on the closed form.
// Runners are spread over regions by their shares; a load balancer sends each
// request to a node of the runner's region at random.
func Simulate(p Params, l *Law, n int) map[Strategy]Result {
	rng := newRNG(p.Seed + 1)
	regions := len(p.RegionShares)
	node := make([][]bitset, regions)
	region := make([]bitset, regions)
	for r := range regions {
		region[r] = newBitset(p.Artifacts)
		for range n {
			node[r] = append(node[r], newBitset(p.Artifacts))
		}
	}
	global := newBitset(p.Artifacts)
	up := map[Strategy]*Result{Direct: {}, Isolated: {}, Shared: {}, Chained: {}}
	bounds := regionBounds(p)
	for runner := range p.Runners {
		r := sort.SearchInts(bounds, runner+1)
		for range p.JobsPerDay * p.FetchesPerJob {
			a := l.draw(rng.float())
			size := l.sizes[a]
			up[Direct].count(size)
			if node[r][rng.intn(n)].add(a) {
				up[Isolated].count(size)
			}
			if region[r].add(a) {
				up[Shared].count(size)
			}
			if global.add(a) {
				up[Chained].count(size)
			}
		}
	}
	out := map[Strategy]Result{}
	total := p.Requests()
	for s, res := range up {
		res.HitRatio = 1 - res.Upstream/total
		out[s] = *res
	}
	return out
}

func (r *Result) count(size float64) { r.Upstream++; r.Egress += size }

// regionBounds are the cumulative runner counts of the regions.
func regionBounds(p Params) []int {
	var b []int
	acc := 0.0
	for _, s := range p.RegionShares {
		acc += s
		b = append(b, int(math.Round(acc*float64(p.Runners))))
	}
	b[len(b)-1] = p.Runners
	return b
}

// draw is the artifact at cumulative probability u.
func (l *Law) draw(u float64) int {
	i := sort.SearchFloat64s(l.cdf, u)
	return min(i, len(l.cdf)-1)
}

type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

// add sets bit i and reports whether it was clear.
func (b bitset) add(i int) bool {
	w, m := i/64, uint64(1)<<(i%64)
	if b[w]&m != 0 {
		return false
	}
	b[w] |= m
	return true
}

// rng is splitmix64: small, seeded, the same sequence on every platform.
type rng struct{ s uint64 }

func newRNG(seed uint64) *rng { return &rng{seed} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// normal is a standard normal draw (Box-Muller).
func (r *rng) normal() float64 {
	u1 := r.float()
	for u1 == 0 {
		u1 = r.float()
	}
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*r.float())
}
