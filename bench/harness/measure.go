package harness

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"hoard/bench/loadgen"
)

// loadResult is one closed-loop run against one server, with the server's own
// CPU time and peak memory over it.
type loadResult struct {
	Stats    loadgen.Stats
	CPU      float64 // server seconds of user+system time during the measured run
	PeakRSS  int64   // bytes; 0 when not measured
	PeakAnon int64   // largest anonymous RSS sampled during the run (heap, not mapped files)
}

// CPUPerReq is server CPU microseconds per successful request.
func (r loadResult) CPUPerReq() float64 {
	if r.Stats.Requests == 0 {
		return 0
	}
	return r.CPU / float64(r.Stats.Requests) * 1e6
}

// CPUPerGB is server CPU seconds per GB (10^9 bytes) of body served.
func (r loadResult) CPUPerGB() float64 {
	if r.Stats.Bytes == 0 {
		return 0
	}
	return r.CPU / (float64(r.Stats.Bytes) / 1e9)
}

// measure runs a warm-up, then the measured run, reading the server's CPU time
// and (when peak is set) its peak RSS around the measured run only. When
// profile names a file and the server has a pprof listener, a CPU profile of
// the measured run is saved there.
func (h *harness) measure(ctx context.Context, s *Server, paths []string, conc int, peak bool, profile string) (loadResult, error) {
	var mapped []string
	for _, p := range paths {
		if mp, ok := s.Path(p); ok {
			mapped = append(mapped, mp)
		}
	}
	o := loadgen.Options{Addr: s.Addr, Paths: mapped, Header: itemHeader(paths[0]), Concurrency: conc, Duration: h.cfg.Warmup}
	if h.cfg.Warmup > 0 {
		if _, err := loadgen.Run(ctx, o); err != nil {
			return loadResult{}, err
		}
	}
	o.Duration = h.cfg.Duration
	pid := s.Proc.PID()
	if peak {
		if err := ResetPeakRSS(pid); err != nil {
			h.logf("reset peak RSS of %s: %v", s.Name, err)
		}
	}
	var profDone chan error
	if profile != "" && s.pprof != "" {
		profDone = make(chan error, 1)
		go func() { profDone <- saveProfile(ctx, s.pprof, h.cfg.Duration, profile) }()
	}
	var sampler *anonSampler
	if peak {
		sampler = sampleAnon(pid)
	}
	cpu0 := CPUSeconds(pid)
	st, err := loadgen.Run(ctx, o)
	cpu1 := CPUSeconds(pid)
	res := loadResult{Stats: st, CPU: cpu1 - cpu0}
	if peak {
		res.PeakRSS = PeakRSS(pid)
		res.PeakAnon = sampler.Peak()
	}
	if profDone != nil {
		if perr := <-profDone; perr != nil {
			h.logf("profile %s: %v", profile, perr)
		}
	}
	if err == nil && st.Errors > 0 {
		h.logf("%s: %d errors, first: %s", s.Name, st.Errors, st.FirstError)
	}
	return res, err
}

func saveProfile(ctx context.Context, addr string, d time.Duration, out string) error {
	secs := max(int(d/time.Second), 1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof answered %d", resp.StatusCode)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// oneByOne fetches each path once, in order, on one keep-alive connection opened
// beforehand, and returns each exchange (a failed one has Status 0).
func oneByOne(s *Server, paths []string, header string) ([]loadgen.Result, error) {
	c, err := loadgen.Dial(s.Addr, header)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Minute))
	var out []loadgen.Result
	for _, p := range paths {
		mp, ok := s.Path(p)
		if !ok {
			continue
		}
		r, err := c.Get(mp)
		if err != nil {
			r.Status = 0
		}
		out = append(out, r)
	}
	return out, nil
}

// quantile of durations by rank (q in [0,1]); 0 for none.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q*float64(len(s)-1) + 0.5)
	return s[i]
}

// exchangeStats summarises single exchanges: how many succeeded, and the median
// and p99 of their first-byte and total times.
type exchangeStats struct {
	N, OK                        int
	TTFB50, TTFB99, Tot50, Tot99 time.Duration
}

func summarise(rs []loadgen.Result) exchangeStats {
	var ttfb, tot []time.Duration
	st := exchangeStats{N: len(rs)}
	for _, r := range rs {
		if r.Status/100 != 2 {
			continue
		}
		st.OK++
		ttfb = append(ttfb, r.TTFB)
		tot = append(tot, r.Total)
	}
	st.TTFB50, st.TTFB99 = quantile(ttfb, 0.5), quantile(ttfb, 0.99)
	st.Tot50, st.Tot99 = quantile(tot, 0.5), quantile(tot, 0.99)
	return st
}
