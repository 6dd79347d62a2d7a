package proxy

import (
	"io"
	"net/http"
	"testing"
)

// Usage counts hits per entry and package from answers that succeeded, records
// 5xx answers as recent errors, and counts upstream body bytes by mount and format.
func TestUsageCounts(t *testing.T) {
	o := newOrigin(t)
	jar := []byte("PK jar bytes")
	o.add(jarPath, jar)
	o.fault("/com/example/broken/1.0/broken-1.0.jar", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	})
	e := newEnv(t, o)
	get := func(p string) int {
		resp, err := http.Get(e.url(p))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 3 {
		get(jarPath)
	}
	get("/com/example/none/1.0/none-1.0.jar") // a 404: no use of a package
	if s := get("/com/example/broken/1.0/broken-1.0.jar"); s < 500 {
		t.Fatalf("the failing origin answered %d through hoard", s)
	}

	u := e.srv.Usage()
	if got := u.Hits(e.key(jarPath)); got != 2 {
		t.Errorf("hits of the jar: %d, want 2 (the first request was the miss)", got)
	}
	byHits, byBytes := u.Top(10)
	if len(byHits) != 1 || byHits[0].Package != "com/example/lib/1.0" || byHits[0].Requests != 3 {
		t.Errorf("top by hits: %+v", byHits)
	}
	if len(byBytes) != 1 || byBytes[0].Bytes != int64(3*len(jar)) {
		t.Errorf("top by bytes: %+v, want only the jar with %d", byBytes, 3*len(jar))
	}
	errs, total := u.Errors()
	if total != 1 || errs[0].Status < 500 || errs[0].Path != "/maven/com/example/broken/1.0/broken-1.0.jar" || errs[0].Mount != "maven" {
		t.Errorf("recent errors: %d %+v", total, errs)
	}

	fams, err := e.srv.Metrics().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var upstream float64
	for _, f := range fams {
		if f.GetName() == "hoard_upstream_bytes_total" {
			for _, m := range f.GetMetric() {
				upstream += m.GetCounter().GetValue()
			}
		}
	}
	if upstream < float64(len(jar)) {
		t.Errorf("hoard_upstream_bytes_total = %v, want at least the jar's %d", upstream, len(jar))
	}
}
