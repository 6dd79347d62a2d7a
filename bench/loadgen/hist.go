package loadgen

import (
	"math/bits"
	"time"
)

// Hist is a log-linear latency histogram: 32 buckets per power of two of
// nanoseconds, so a percentile read from it is within about 3 % of the true
// value, in fixed memory whatever the number of samples. The zero value is ready.
// It is not safe for concurrent use: each worker keeps its own and they are merged.
type Hist struct {
	counts [64 * subBuckets]uint64
	n      uint64
	sum    time.Duration
	max    time.Duration
}

const (
	subBits    = 5
	subBuckets = 1 << subBits
)

func bucketOf(ns uint64) int {
	if ns < subBuckets {
		return int(ns)
	}
	e := bits.Len64(ns) - 1 // ns is in [2^e, 2^(e+1))
	sub := (ns >> (e - subBits)) & (subBuckets - 1)
	return (e-subBits+1)*subBuckets + int(sub)
}

// lowerBound is the smallest value that falls in bucket i.
func lowerBound(i int) uint64 {
	if i < subBuckets {
		return uint64(i)
	}
	e := i/subBuckets + subBits - 1
	sub := uint64(i % subBuckets)
	return (1 << e) | sub<<(e-subBits)
}

// Add records one sample.
func (h *Hist) Add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	h.n++
	h.sum += d
	if d > h.max {
		h.max = d
	}
}

// Merge adds o's samples to h.
func (h *Hist) Merge(o *Hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	if o.max > h.max {
		h.max = o.max
	}
}

// Count is the number of samples.
func (h *Hist) Count() uint64 { return h.n }

// Mean is the average sample, 0 when there are none.
func (h *Hist) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Max is the largest sample.
func (h *Hist) Max() time.Duration { return h.max }

// Quantile returns the q-quantile (0 < q <= 1), as the middle of the bucket
// holding it (the exact maximum for q = 1); 0 when there are no samples.
func (h *Hist) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	if q >= 1 {
		return h.max
	}
	rank := uint64(q*float64(h.n) + 0.5) // 1-based rank of the sample asked for
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := lowerBound(i), lowerBound(i+1)
			v := time.Duration((lo + hi) / 2)
			if v > h.max {
				v = h.max
			}
			return v
		}
	}
	return h.max
}
