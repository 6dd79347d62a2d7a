package origin

import (
	"context"
	"io"
	"time"
)

// throttled paces reads to a byte rate so a response body trickles out: tests use it
// to catch a fill half-way (kill the proxy mid-download) and benchmarks to model a
// slow upstream. It gives up as soon as the client's request is cancelled, so a
// killed client does not keep an origin goroutine asleep.
type throttled struct {
	ctx   context.Context
	r     io.ReadSeeker
	rate  int64 // bytes per second
	chunk int
	start time.Time
	sent  int64
}

func newThrottled(ctx context.Context, r io.ReadSeeker, rate int64) *throttled {
	// About twenty reads a second: smooth enough, and each read is big enough that
	// the server's 4 KiB write buffer passes it straight to the connection.
	chunk := max(rate/20, 4096)
	return &throttled{ctx: ctx, r: r, rate: rate, chunk: int(chunk)}
}

func (t *throttled) Seek(offset int64, whence int) (int64, error) {
	return t.r.Seek(offset, whence)
}

func (t *throttled) Read(p []byte) (int, error) {
	if t.start.IsZero() {
		t.start = time.Now()
	}
	if len(p) > t.chunk {
		p = p[:t.chunk]
	}
	n, err := t.r.Read(p)
	t.sent += int64(n)
	due := t.start.Add(time.Duration(float64(t.sent) / float64(t.rate) * float64(time.Second)))
	if wait := time.Until(due); wait > 0 {
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-t.ctx.Done():
			timer.Stop()
			return n, t.ctx.Err()
		}
	}
	return n, err
}
