package cache

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Entries a pin rule covers survive eviction, those filled after the rule was set
// included, are listed and counted as pinned, and go again once the rule does.
func TestPinRuleSurvivesEviction(t *testing.T) {
	s := openTest(t, Options{MaxSize: 1000, TouchFlush: 10 * time.Millisecond})
	s.SetPinRule(func(key string) bool { return strings.HasPrefix(key, "keep/") })
	put(t, s, "keep/0", blob100(0)) // the oldest
	for i := 1; i < 10; i++ {
		put(t, s, fmt.Sprintf("k%d", i), blob100(i))
	}
	s.Pin("k1")                   // an operator's pin counts once with the rule's
	put(t, s, "k10", blob100(10)) // 1100 > 1000: evict down to 900
	s.evictWG.Wait()
	if _, err := s.Lookup("keep/0"); err != nil {
		t.Errorf("the entry the rule pins was evicted: %v", err)
	}
	for _, k := range []string{"k2", "k3"} {
		if _, err := s.Lookup(k); err == nil {
			t.Errorf("%s, the oldest unpinned, survived", k)
		}
	}
	if ps, err := s.Pinned(); err != nil || ps.Entries != 2 || ps.Bytes != 200 {
		t.Errorf("Pinned() = %+v, %v; want the rule's entry and the operator's", ps, err)
	}
	if _, all := listKeys(t, s, "keep/", ""); len(all) != 1 || !all[0].Pinned {
		t.Errorf("List does not show keep/0 pinned: %+v", all)
	}
	s.SetPinRule(nil)
	put(t, s, "k11", blob100(11))
	put(t, s, "k12", blob100(12))
	s.evictWG.Wait()
	if _, err := s.Lookup("keep/0"); err == nil {
		t.Error("keep/0 survived once the rule went")
	}
}
