package proxy

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"hoard/configs"
	"hoard/formats"
	policygate "hoard/policy/gate"
)

func TestFilterCacheValidity(t *testing.T) {
	g1, g2 := &policygate.Gate{}, &policygate.Gate{}
	now := time.Now()
	c := newFilterCache(1 << 20)
	c.put("k", &filtered{gate: g1, out: []byte("x"), until: now.Add(time.Hour)})
	if _, ok := c.get("k", g1, now); !ok {
		t.Fatal("a fresh entry missed")
	}
	if _, ok := c.get("k", g2, now); ok {
		t.Error("an entry filtered by another policy was served")
	}
	c.put("k", &filtered{gate: g1, out: []byte("x"), until: now.Add(time.Hour)})
	if _, ok := c.get("k", g1, now.Add(time.Hour)); ok {
		t.Error("an entry was served once a hidden version came of age")
	}
	for i := range 10 {
		c.put(strings.Repeat("k", i+1), &filtered{gate: g1, out: make([]byte, 200<<10)})
	}
	if c.bytes > c.limit || c.lru.Len() == 0 {
		t.Errorf("%d bytes kept over a limit of %d (%d entries)", c.bytes, c.limit, c.lru.Len())
	}
	c.put("huge", &filtered{gate: g1, out: make([]byte, 1<<20)})
	if _, ok := c.get("huge", g1, now); ok {
		t.Error("an entry over half the limit was kept")
	}
}

func TestFilterExpiry(t *testing.T) {
	now := time.Now()
	hidden := []formats.Hidden{
		{Version: "1", Reason: policygate.Reason{Rule: "min_age"}},
		{Version: "2", Reason: policygate.Reason{Rule: "min_age"}},
		{Version: "3", Reason: policygate.Reason{Rule: "deny"}},
	}
	judged := map[string]policygate.Version{"1": {Time: now.Add(-time.Hour)}, "2": {Time: now.Add(-2 * time.Hour)}}
	if got := expiry(hidden, judged, 3*time.Hour, now); !got.Equal(now.Add(time.Hour)) {
		t.Errorf("expiry %v, want when version 2 comes of age", got)
	}
	judged["1"] = policygate.Version{Undated: true}
	if got := expiry(hidden, judged, 3*time.Hour, now); !got.Equal(now.Add(undatedRetry)) {
		t.Errorf("expiry %v with an undated version, want a retry soon", got)
	}
	if got := expiry(hidden[2:], judged, 3*time.Hour, now); !got.IsZero() {
		t.Errorf("a deny alone expires at %v", got)
	}
}

// A reload puts a new policy in force at once: a document filtered under the old
// one is not served again.
func TestPolicyReloadRefilters(t *testing.T) {
	now := time.Now()
	o := newOrigin(t)
	o.add("/left-pad", packumentAt(map[string]time.Time{"1.0.0": now.AddDate(0, 0, -30), "1.1.0": now.Add(-time.Hour)}, "1.1.0"))
	srv, base, _ := newPolicyNpmEnv(t, o, configs.Policy{MinAge: configs.Age(72 * time.Hour)})
	for range 2 {
		if r := get(t, base+"/left-pad"); strings.Contains(string(r.body), `"1.1.0"`) || r.header.Get(hiddenHeader) == "" {
			t.Fatalf("1.1.0 not hidden: %s", r.body)
		}
	}
	cfg := testConfig(t.TempDir(), o.srv.URL)
	cfg.Mounts = []configs.Mount{{Name: "npm", Format: "npm", Upstream: o.srv.URL, Policy: configs.Policy{Deny: []string{"left-pad@1.0.0"}}}}
	if err := srv.SetPolicies(cfg); err != nil {
		t.Fatal(err)
	}
	r := get(t, base+"/left-pad")
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"1.1.0"`) || r.header.Get(hiddenHeader) != "1.0.0 (deny left-pad@1.0.0)" {
		t.Errorf("after reload: %s=%q body %s", hiddenHeader, r.header.Get(hiddenHeader), r.body)
	}
}
