package cache

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
)

func BenchmarkProbe2(b *testing.B) {
	dir := "/tmp/x/p2"
	if _, err := os.Stat(dir + "/index"); err != nil {
		seedIndex(b, dir, 1000000)
	}
	s, _ := Open(Options{Dir: dir})
	workload(b, s, 1000000)
	runtime.GC()
	runtime.GC()
	f, _ := os.Create("/tmp/x/heap2.prof")
	pprof.WriteHeapProfile(f)
	f.Close()
	anon, file := rss()
	b.Logf("anon %d file %d", anon>>20, file>>20)
	s.Close()
}
