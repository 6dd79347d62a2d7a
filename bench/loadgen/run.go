package loadgen

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Options describe a closed-loop run: Concurrency connections, each sending its
// next request as soon as the previous answer is read, for Duration.
type Options struct {
	Addr        string
	Paths       []string // requested in turn; each worker starts at a different one
	Header      string   // extra request header lines, each ending in \r\n
	Concurrency int
	Duration    time.Duration
	// MaxRequests stops the run early once this many requests were sent (0: no limit).
	MaxRequests int64
}

// Stats is what a run measured. Latency covers successful (2xx) requests only.
type Stats struct {
	Requests int64 // answered with 2xx
	Errors   int64 // transport errors and non-2xx answers
	Bytes    int64 // body bytes of 2xx answers
	Elapsed  time.Duration
	Latency  Hist
	// FirstError describes one failure, for the report.
	FirstError string
}

// RPS is successful requests per second.
func (s *Stats) RPS() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Requests) / s.Elapsed.Seconds()
}

// MBps is body throughput in MB (10^6 bytes) per second.
func (s *Stats) MBps() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Bytes) / 1e6 / s.Elapsed.Seconds()
}

// Run drives the server for o.Duration (or until ctx ends) and merges what every
// connection measured. Connections are opened before the clock starts.
func Run(ctx context.Context, o Options) (Stats, error) {
	if o.Concurrency <= 0 || len(o.Paths) == 0 || o.Duration <= 0 {
		return Stats{}, fmt.Errorf("load: need concurrency, paths and duration")
	}
	conns := make([]*Conn, o.Concurrency)
	for i := range conns {
		c, err := Dial(o.Addr, o.Header)
		if err != nil {
			for _, c := range conns[:i] {
				c.Close()
			}
			return Stats{}, err
		}
		c.SetDeadline(time.Now().Add(o.Duration + time.Minute)) // a hung server fails the run, not the harness
		conns[i] = c
	}
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var sent atomicCounter
	per := make([]Stats, o.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range conns {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer conns[i].Close()
			st := &per[i]
			next := i * len(o.Paths) / o.Concurrency
			for ctx.Err() == nil {
				if o.MaxRequests > 0 && sent.add() > o.MaxRequests {
					return
				}
				p := o.Paths[next%len(o.Paths)]
				next++
				res, err := conns[i].Get(p)
				switch {
				case err != nil:
					st.Errors++
					if st.FirstError == "" {
						st.FirstError = err.Error()
					}
				case res.Status/100 != 2:
					st.Errors++
					if st.FirstError == "" {
						st.FirstError = fmt.Sprintf("GET %s: status %d", p, res.Status)
					}
				default:
					st.Requests++
					st.Bytes += res.Bytes
					st.Latency.Add(res.Total)
				}
			}
		}(i)
	}
	// A request in flight when the clock stops is still counted: stopping the
	// clock when the last worker returns keeps requests and time consistent.
	wg.Wait()
	out := Stats{Elapsed: time.Since(start)}
	for i := range per {
		out.Requests += per[i].Requests
		out.Errors += per[i].Errors
		out.Bytes += per[i].Bytes
		out.Latency.Merge(&per[i].Latency)
		if out.FirstError == "" {
			out.FirstError = per[i].FirstError
		}
	}
	return out, nil
}

type atomicCounter struct {
	mu sync.Mutex
	n  int64
}

func (a *atomicCounter) add() int64 {
	a.mu.Lock()
	a.n++
	n := a.n
	a.mu.Unlock()
	return n
}

// Herd opens n connections, then sends GET path on all of them at the same
// instant and returns each client's result, in no particular order; a failed
// client has Status 0.
func Herd(ctx context.Context, addr, path, header string, n int) ([]Result, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(5 * time.Minute)
	}
	conns := make([]*Conn, n)
	for i := range conns {
		c, err := Dial(addr, header)
		if err == nil {
			c.SetDeadline(deadline)
		}
		if err != nil {
			for _, c := range conns[:i] {
				c.Close()
			}
			return nil, err
		}
		conns[i] = c
	}
	results := make([]Result, n)
	var wg sync.WaitGroup
	release := make(chan struct{})
	for i := range conns {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer conns[i].Close()
			<-release
			res, err := conns[i].Get(path)
			if err != nil {
				res.Status = 0
			}
			results[i] = res
		}(i)
	}
	close(release)
	wg.Wait()
	return results, ctx.Err()
}
