package main_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every metric the Grafana dashboard in configs/ queries is one a running hoard
// exports after some traffic: a renamed metric would leave a panel empty.
func TestGrafanaDashboardMetricsExist(t *testing.T) {
	needE2E(t)
	b, err := os.ReadFile("../../configs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
		Templating struct{ List []struct{ Query any } }
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		for _, q := range p.Targets {
			exprs = append(exprs, q.Expr)
		}
	}
	for _, v := range dash.Templating.List {
		if s, ok := v.Query.(string); ok {
			exprs = append(exprs, s)
		}
	}

	origin := &jarOrigin{hits: map[string]int{}, files: map[string]string{"/g/a/1/a-1.jar": "PK a"}}
	up := startUpstream(t, origin)
	h := startHoard(t, t.TempDir(), "--mount", "maven=maven,"+up.URL())
	cacheResult(t, h.URL+"/maven/g/a/1/a-1.jar", "PK a")
	resp, err := http.Get(h.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	scrape, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	// A counter vector has no series until its event happens: one request joining a
	// fill in flight cannot be staged reliably, so that one is looked up in the source.
	eventOnly := map[string]bool{"hoard_fill_waiters_total": true}
	src, _ := os.ReadFile("../../proxy/metrics.go")
	names := regexp.MustCompile(`hoard_[a-z_]+`)
	seen := 0
	for _, e := range exprs {
		for _, n := range names.FindAllString(e, -1) {
			seen++
			if eventOnly[n] {
				if !strings.Contains(string(src), `Name: "`+n+`"`) {
					t.Errorf("the dashboard queries %s, which the proxy does not declare", n)
				}
				continue
			}
			if !strings.Contains(string(scrape), "\n"+n+"{") && !strings.Contains(string(scrape), "\n"+n+" ") {
				t.Errorf("the dashboard queries %s, which hoard does not export", n)
			}
		}
	}
	if seen < 10 {
		t.Errorf("only %d metric references found in the dashboard", seen)
	}
}
