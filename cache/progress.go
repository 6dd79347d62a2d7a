package cache

import (
	"context"
	"io/fs"
)

// progressTicker returns the function Verify and GC call after each blob file,
// with its size. It reports to Options.Progress, counting the files and their
// bytes first for the totals; without Progress it does nothing and nothing is
// counted.
func (s *Store) progressTicker(ctx context.Context) func(size int64) {
	report := s.opts.Progress
	if report == nil {
		return func(int64) {}
	}
	total, totalBytes := 0, int64(0)
	_ = s.walkBlobs(ctx, func(_, _ string, info fs.FileInfo) error {
		total++
		totalBytes += info.Size()
		return nil
	})
	report(0, total, 0, totalBytes)
	done, doneBytes := 0, int64(0)
	return func(size int64) {
		done++
		doneBytes += size
		// Files added since the count stretch the totals.
		report(done, max(done, total), doneBytes, max(doneBytes, totalBytes))
	}
}
