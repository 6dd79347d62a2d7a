package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// workProgress shows how far warm, export or import have got: a bar with counts,
// bytes, rate and ETA on a terminal, a plain line every plainProgressEvery
// otherwise (and one at the end).
type workProgress struct {
	mu    sync.Mutex
	out   io.Writer
	what  string
	unit  string // what is counted: "requests", "entries"
	bar   *progressbar.ProgressBar
	every time.Duration
	now   func() time.Time
	start time.Time
	last  time.Time
	bytes bool // the bar counts bytes rather than items
}

// newCountProgress counts items (requests, entries), with the bytes moved beside.
func newCountProgress(out *os.File, what, unit string) *workProgress {
	p := &workProgress{out: out, what: what, unit: unit, every: plainProgressEvery, now: time.Now, start: time.Now()}
	if term.IsTerminal(int(out.Fd())) {
		p.bar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(), progressbar.OptionSetItsString(unit), progressbar.OptionShowIts(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionOnCompletion(func() { fmt.Fprintln(out) }))
	}
	return p
}

// newByteProgress counts bytes of a known total (-1: unknown).
func newByteProgress(out *os.File, what string, total int64) *workProgress {
	p := &workProgress{out: out, what: what, unit: "bytes", every: plainProgressEvery, now: time.Now, start: time.Now(), bytes: true}
	if term.IsTerminal(int(out.Fd())) {
		p.bar = progressbar.DefaultBytes(total, what)
	}
	return p
}

// Update reports done of total (total <= 0: not known yet) and the bytes moved.
func (p *workProgress) Update(done, total, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		if total > 0 && total != p.bar.GetMax64() {
			p.bar.ChangeMax64(total)
		}
		if !p.bytes {
			p.bar.Describe(fmt.Sprintf("%s (%s)", p.what, humanize.IBytes(uint64(bytes))))
		}
		_ = p.bar.Set64(done)
		return
	}
	t := p.now()
	if t.Sub(p.last) < p.every {
		return
	}
	p.last = t
	p.line(done, total, bytes)
}

// Finish writes the last state.
func (p *workProgress) Finish(done, total, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		return
	}
	p.line(done, total, bytes)
}

func (p *workProgress) line(done, total, bytes int64) {
	secs := p.now().Sub(p.start).Seconds()
	rate := ""
	if secs > 0 {
		rate = fmt.Sprintf(", %s/s", humanize.IBytes(uint64(float64(bytes)/secs)))
	}
	if p.bytes {
		pct := ""
		if total > 0 {
			pct = fmt.Sprintf(" of %s (%d%%)", humanize.IBytes(uint64(total)), done*100/total)
		}
		fmt.Fprintf(p.out, "%s: %s%s%s\n", p.what, humanize.IBytes(uint64(done)), pct, rate)
		return
	}
	fmt.Fprintf(p.out, "%s: %d of %d %s, %s%s\n", p.what, done, total, p.unit, humanize.IBytes(uint64(bytes)), rate)
}
