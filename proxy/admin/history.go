package admin

import (
	"net/http"
	"sync"
	"time"
)

const (
	// The last hour in steps of fineStep, the last day in steps of coarseStep.
	fineStep     = 10 * time.Second
	fineSamples  = 360
	coarseStep   = time.Minute
	coarseFactor = int(coarseStep / fineStep)
	daySamples   = 1440
	// keepEvery: every so many steps (10 minutes) the usage counts forget evicted
	// keys and are saved.
	keepEvery = 60
)

// Sample is the traffic of one interval of the history, summed over mounts;
// CacheBytes is the cache's size at its end.
type Sample struct {
	At             time.Time `json:"at"` // the interval's end
	Hits           int64     `json:"hits"`
	Misses         int64     `json:"misses"`
	Other          int64     `json:"other"` // bypass and error answers
	BytesServed    int64     `json:"bytes_served"`
	BytesUpstream  int64     `json:"bytes_upstream"`
	UpstreamErrors int64     `json:"upstream_errors"`
	CacheBytes     int64     `json:"cache_bytes"`
}

// Series is one resolution of the history, oldest sample first. Its last
// sample is the interval still running, so traffic shows before a step ends.
type Series struct {
	StepSeconds int      `json:"step_seconds"`
	Samples     []Sample `json:"samples"`
}

// History is GET /api/history.
type History struct {
	Hour Series `json:"hour"`
	Day  Series `json:"day"`
}

// history keeps bounded rings of samples: the memory is fixed (about 100 KB),
// however long the daemon runs.
type history struct {
	mu     sync.Mutex
	fine   ring
	coarse ring
	last   Sample // the running totals at the last tick
	acc    Sample // the coarse interval being added up
	ticks  int
}

type ring struct {
	s    []Sample
	next int
	full bool
}

func newRing(n int) ring { return ring{s: make([]Sample, n)} }

func (r *ring) push(s Sample) {
	r.s[r.next] = s
	r.next = (r.next + 1) % len(r.s)
	r.full = r.full || r.next == 0
}

// ordered returns the samples oldest first.
func (r *ring) ordered() []Sample {
	if !r.full {
		return append([]Sample(nil), r.s[:r.next]...)
	}
	return append(append([]Sample(nil), r.s[r.next:]...), r.s[:r.next]...)
}

func newHistory(start time.Time) *history {
	return &history{fine: newRing(fineSamples), coarse: newRing(daySamples), last: Sample{At: start}, acc: Sample{At: start}}
}

// tick closes a fine interval at totals (running sums since start), and a
// coarse one every coarseFactor ticks.
func (h *history) tick(totals Sample) {
	h.mu.Lock()
	defer h.mu.Unlock()
	d := delta(totals, h.last)
	h.fine.push(d)
	h.acc = add(h.acc, d)
	h.last = totals
	if h.ticks++; h.ticks%coarseFactor == 0 {
		h.coarse.push(h.acc)
		h.acc = Sample{}
	}
}

// snapshot returns both series, each ending with the running interval.
func (h *history) snapshot(totals Sample) History {
	h.mu.Lock()
	defer h.mu.Unlock()
	running := delta(totals, h.last)
	return History{
		Hour: Series{StepSeconds: int(fineStep / time.Second), Samples: append(h.fine.ordered(), running)},
		Day:  Series{StepSeconds: int(coarseStep / time.Second), Samples: append(h.coarse.ordered(), add(h.acc, running))},
	}
}

// delta is the traffic between two running totals; the sizes are cur's.
func delta(cur, prev Sample) Sample {
	return Sample{At: cur.At, Hits: cur.Hits - prev.Hits, Misses: cur.Misses - prev.Misses, Other: cur.Other - prev.Other,
		BytesServed: cur.BytesServed - prev.BytesServed, BytesUpstream: cur.BytesUpstream - prev.BytesUpstream,
		UpstreamErrors: cur.UpstreamErrors - prev.UpstreamErrors, CacheBytes: cur.CacheBytes}
}

// add folds interval d into the accumulated interval a.
func add(a, d Sample) Sample {
	return Sample{At: d.At, Hits: a.Hits + d.Hits, Misses: a.Misses + d.Misses, Other: a.Other + d.Other,
		BytesServed: a.BytesServed + d.BytesServed, BytesUpstream: a.BytesUpstream + d.BytesUpstream,
		UpstreamErrors: a.UpstreamErrors + d.UpstreamErrors, CacheBytes: d.CacheBytes}
}

// totals sums the stats over mounts into running totals.
func totals(st Stats, at time.Time) Sample {
	t := Sample{At: at, CacheBytes: st.Cache.Bytes}
	for _, m := range st.Mounts {
		t.Hits += m.Requests["hit"] + m.Requests["revalidated"] + m.Requests["stale"]
		t.Misses += m.Requests["miss"]
		t.Other += m.Requests["bypass"] + m.Requests["error"]
		t.BytesServed += m.BytesServed
		t.BytesUpstream += m.Upstream.Bytes
		t.UpstreamErrors += m.Upstream.ByStatus["5xx"] + m.Upstream.ByStatus["error"]
	}
	return t
}

// sample reads the current running totals.
func (s *Server) sample() (Sample, error) {
	st, err := s.collectStats(false)
	if err != nil {
		return Sample{}, err
	}
	return totals(st, s.now()), nil
}

// sampleLoop closes an interval every fineStep until Close.
func (s *Server) sampleLoop() {
	defer close(s.sampled)
	t := time.NewTicker(fineStep)
	defer t.Stop()
	ticks := 0
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			if cur, err := s.sample(); err == nil {
				s.hist.tick(cur)
			} else {
				s.o.Logger.Warn().Err(err).Msg("stats sample failed")
			}
			if ticks++; ticks%keepEvery == 0 {
				s.keepUsage(true)
			}
		}
	}
}

func (s *Server) history(w http.ResponseWriter, _ *http.Request) {
	cur, err := s.sample()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.hist.snapshot(cur))
}
