package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// plainProgressEvery is how often progress is written as a plain line when stderr
// is not a terminal (a log file, CI): a bar's redraws would fill it with noise.
const plainProgressEvery = 10 * time.Second

// newProgress returns the callback verify and gc report through: a bar on a
// terminal, else a line at the start, every plainProgressEvery and at the end.
func newProgress(out *os.File, what string) func(done, total int) {
	if term.IsTerminal(int(out.Fd())) {
		return barProgress(out, what)
	}
	return plainProgress(out, what, plainProgressEvery, time.Now)
}

func barProgress(out io.Writer, what string) func(done, total int) {
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(), progressbar.OptionSetItsString("blobs"), progressbar.OptionShowIts(),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionOnCompletion(func() { fmt.Fprintln(out) }))
		}
		if total > bar.GetMax() {
			bar.ChangeMax(total)
		}
		bar.Set(done)
	}
}

func plainProgress(out io.Writer, what string, every time.Duration, now func() time.Time) func(done, total int) {
	var mu sync.Mutex
	var last time.Time
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		t := now()
		if done != 0 && done != total && t.Sub(last) < every {
			return
		}
		last = t
		pct := 100
		if total > 0 {
			pct = done * 100 / total
		}
		fmt.Fprintf(out, "%s: %d of %d blob files (%d%%)\n", what, done, total, pct)
	}
}
