package usage

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

func TestServedCountsHitsAndPackages(t *testing.T) {
	c := New()
	c.Served("npm", "left-pad", "npm/left-pad/-/left-pad-1.0.0.tgz", false, 100)
	for i := 0; i < 3; i++ {
		c.Served("npm", "left-pad", "npm/left-pad/-/left-pad-1.0.0.tgz", true, 100)
	}
	c.Served("maven", "com.acme:lib", "maven/com/acme/lib/1.0/lib-1.0.jar", true, 5000)
	c.Served("npm", "", "", true, 10) // no package: counted nowhere

	if got := c.Hits("npm/left-pad/-/left-pad-1.0.0.tgz"); got != 3 {
		t.Errorf("hits = %d, want 3 (the miss is not a hit)", got)
	}
	byHits, byBytes := c.Top(10)
	if len(byHits) != 2 || byHits[0].Package != "left-pad" || byHits[0].Hits != 3 || byHits[0].Requests != 4 || byHits[0].Bytes != 400 {
		t.Errorf("top by hits = %+v", byHits)
	}
	if len(byBytes) != 2 || byBytes[0].Package != "com.acme:lib" {
		t.Errorf("top by bytes = %+v", byBytes)
	}
	c.Forget("npm/left-pad/-/left-pad-1.0.0.tgz")
	if got := c.Hits("npm/left-pad/-/left-pad-1.0.0.tgz"); got != 0 {
		t.Errorf("hits after Forget = %d", got)
	}
}

func TestTopCutsToN(t *testing.T) {
	c := New()
	for i := 0; i < 20; i++ {
		for j := 0; j <= i; j++ {
			c.Served("m", fmt.Sprint("p", i), fmt.Sprint("m/p", i), true, 1)
		}
	}
	byHits, _ := c.Top(5)
	if len(byHits) != 5 || byHits[0].Package != "p19" || byHits[4].Package != "p15" {
		t.Errorf("top 5 = %+v", byHits)
	}
}

func TestErrorsRingKeepsNewestFirst(t *testing.T) {
	c := New()
	for i := 0; i < recentErrors+7; i++ {
		c.Failed(Error{Path: fmt.Sprint("/x/", i), Status: 502})
	}
	errs, total := c.Errors()
	if total != recentErrors+7 || len(errs) != recentErrors {
		t.Fatalf("got %d of %d errors", len(errs), total)
	}
	if errs[0].Path != fmt.Sprint("/x/", recentErrors+6) || errs[len(errs)-1].Path != "/x/7" {
		t.Errorf("order: first %s, last %s", errs[0].Path, errs[len(errs)-1].Path)
	}
	if errs[0].At.IsZero() {
		t.Error("an error without a time is stamped")
	}
}

func TestConcurrentServed(t *testing.T) {
	c := New()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				c.Served("m", "p", "m/k", true, 1)
			}
		}()
	}
	wg.Wait()
	if got := c.Hits("m/k"); got != 8000 {
		t.Errorf("hits = %d, want 8000", got)
	}
}

func BenchmarkServedHit(b *testing.B) {
	c := New()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Served("npm", "left-pad", "npm/left-pad/-/left-pad-1.0.0.tgz", true, 100)
		}
	})
}

func TestSaveLoadKeepsCounts(t *testing.T) {
	c := New()
	c.Served("npm", "left-pad", "npm/left-pad/-/left-pad-1.0.0.tgz", true, 100)
	c.Served("npm", "left-pad", "npm/left-pad/-/left-pad-1.0.0.tgz", true, 100)
	c.Served("npm", "left-pad", "npm/left-pad", false, 7)
	path := t.TempDir() + "/usage.json"
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	d := New()
	if err := d.Load(path); err != nil {
		t.Fatal(err)
	}
	d.Served("npm", "left-pad", "npm/left-pad/-/left-pad-1.0.0.tgz", true, 100)
	if got := d.Hits("npm/left-pad/-/left-pad-1.0.0.tgz"); got != 3 {
		t.Errorf("hits after a reload and one more = %d, want 3", got)
	}
	byHits, _ := d.Top(1)
	if len(byHits) != 1 || byHits[0].Requests != 4 || byHits[0].Hits != 3 || byHits[0].Bytes != 307 {
		t.Errorf("package after reload: %+v", byHits)
	}
	if err := New().Load(t.TempDir() + "/none.json"); err != nil {
		t.Errorf("a missing file: %v", err)
	}
	bad := t.TempDir() + "/bad.json"
	os.WriteFile(bad, []byte("{not json"), 0o644)
	if err := New().Load(bad); err == nil {
		t.Error("a damaged file loaded without error")
	}
}

func TestPruneForgetsKeysGone(t *testing.T) {
	c := New()
	for _, k := range []string{"m/a", "m/b", "m/c"} {
		c.Served("m", "p", k, true, 1)
	}
	if n := c.Prune(func(k string) bool { return k != "m/b" }); n != 1 {
		t.Errorf("pruned %d, want 1", n)
	}
	if c.Hits("m/b") != 0 || c.Hits("m/a") != 1 || c.nEntries.Load() != 2 {
		t.Errorf("after prune: a %d b %d, %d keys", c.Hits("m/a"), c.Hits("m/b"), c.nEntries.Load())
	}
}
