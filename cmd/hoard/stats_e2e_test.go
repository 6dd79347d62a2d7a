package main_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The stats add up to the traffic this test sent: two misses, three hits, the
// bytes of all five answers, two jars fetched upstream (with the checksum files a
// Maven fill looks for beside them, which this origin does not have: 4xx, not errors).
func TestStatsMatchTraffic(t *testing.T) {
	needE2E(t)
	const a, b = "PK jar a", "PK the b jar"
	origin := &jarOrigin{hits: map[string]int{}, files: map[string]string{"/g/a/1/a-1.jar": a, "/g/b/1/b-1.jar": b}}
	up := startUpstream(t, origin)
	h := startHoard(t, t.TempDir(), "--mount", "maven=maven,"+up.URL(), "--mount", "idle=maven,"+up.URL())
	cacheResult(t, h.URL+"/maven/g/a/1/a-1.jar", a)
	for range 3 {
		cacheResult(t, h.URL+"/maven/g/a/1/a-1.jar", a)
	}
	cacheResult(t, h.URL+"/maven/g/b/1/b-1.jar", b)

	var st struct {
		Cache struct {
			Bytes, Entries int64
		}
		Mounts []struct {
			Mount       string
			Requests    map[string]int64
			HitRatio    float64 `json:"hit_ratio"`
			BytesServed int64   `json:"bytes_served"`
			Upstream    struct {
				Requests  int64
				ByStatus  map[string]int64 `json:"by_status"`
				ErrorRate float64          `json:"error_rate"`
				Breakers  []struct{ Open bool }
			}
		}
	}
	eventually(t, 10*time.Second, "both jars counted in the cache", func() bool {
		resp, err := http.Get(h.AdminURL + "/api/stats")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
		return st.Cache.Entries == 2
	})
	if st.Cache.Bytes != int64(len(a)+len(b)) || len(st.Mounts) != 2 {
		t.Fatalf("stats: %+v", st)
	}
	m := st.Mounts[0]
	if m.Mount != "maven" || m.Requests["hit"] != 3 || m.Requests["miss"] != 2 || m.HitRatio != 0.6 {
		t.Errorf("requests: %+v, hit ratio %v; want 3 hits, 2 misses, 0.6", m.Requests, m.HitRatio)
	}
	if want := int64(4*len(a) + len(b)); m.BytesServed != want {
		t.Errorf("bytes served %d, want %d", m.BytesServed, want)
	}
	if m.Upstream.ByStatus["2xx"] != 2 || m.Upstream.Requests != 2+m.Upstream.ByStatus["4xx"] || m.Upstream.ErrorRate != 0 ||
		len(m.Upstream.Breakers) != 1 || m.Upstream.Breakers[0].Open {
		t.Errorf("upstream: %+v", m.Upstream)
	}
	if idle := st.Mounts[1]; idle.Mount != "idle" || len(idle.Requests) != 0 || idle.BytesServed != 0 {
		t.Errorf("the idle mount: %+v", idle)
	}
	out, err := hoardCmd(t, "stats", "--admin", h.AdminURL)
	if err != nil || !strings.Contains(out, "60.0%") || !strings.Contains(out, "2 entries") {
		t.Errorf("hoard stats: %v\n%s", err, out)
	}
}
