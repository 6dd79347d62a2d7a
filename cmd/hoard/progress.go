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
func newProgress(out *os.File, what string) func(done, total int, doneBytes, totalBytes int64) {
	if term.IsTerminal(int(out.Fd())) {
		return barProgress(out, what)
	}
	return plainProgress(out, what, plainProgressEvery, time.Now)
}

func barProgress(out io.Writer, what string) func(done, total int, doneBytes, totalBytes int64) {
	var bar *progressbar.ProgressBar
	return func(done, total int, doneBytes, totalBytes int64) {
		if bar == nil {
			// The bar runs in bytes (rate and ETA follow the work); the blob count
			// is in its description.
			bar = progressbar.NewOptions64(totalBytes, progressbar.OptionSetWriter(out), progressbar.OptionShowBytes(true),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionOnCompletion(func() { fmt.Fprintln(out) }))
		}
		if totalBytes > bar.GetMax64() {
			bar.ChangeMax64(totalBytes)
		}
		bar.Describe(fmt.Sprintf("%s %d/%d blobs", what, done, total))
		bar.Set64(doneBytes)
	}
}

func plainProgress(out io.Writer, what string, every time.Duration, now func() time.Time) func(done, total int, doneBytes, totalBytes int64) {
	var mu sync.Mutex
	var last time.Time
	return func(done, total int, doneBytes, totalBytes int64) {
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
		fmt.Fprintf(out, "%s: %d of %d blob files (%d%%), %s of %s\n", what, done, total, pct, mib(doneBytes), mib(totalBytes))
	}
}

// mib is a byte count in MiB with one decimal, as the progress lines print it.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
