package cache

import (
	"context"
	"io/fs"
)

// progressTicker returns the function Verify and GC call after each blob file. It
// reports to Options.Progress, counting the files first for the total; without
// Progress it does nothing and nothing is counted.
func (s *Store) progressTicker(ctx context.Context) func() {
	report := s.opts.Progress
	if report == nil {
		return func() {}
	}
	total := 0
	_ = s.walkBlobs(ctx, func(string, string, fs.FileInfo) error { total++; return nil })
	report(0, total)
	done := 0
	return func() {
		done++
		report(done, max(done, total)) // files added since the count stretch the total
	}
}
