package proxy

import (
	"bufio"
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// scrape reads /metrics and returns the value of the sample named name whose labels
// include every pair in labels (-1 when there is none).
func scrape(t *testing.T, e *testEnv, name string, labels ...string) float64 {
	t.Helper()
	r := get(t, e.hoard.URL+"/metrics")
	if r.status != http.StatusOK {
		t.Fatalf("/metrics: status %d", r.status)
	}
	sc := bufio.NewScanner(bytes.NewReader(r.body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
lines:
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if !strings.Contains(line, labels[i]+`="`+labels[i+1]+`"`) {
				continue lines
			}
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		return v
	}
	return -1
}

// /metrics counts results, coalesced waiters and upstream requests.
func TestMetricsCountResultsWaitersAndUpstream(t *testing.T) {
	const clients = 20
	jar := randomBytes(t, 2<<20)
	o := newOrigin(t)
	o.publish(jarPath, jar)
	release := make(chan struct{})
	o.fault(jarPath, holdAfter(jar, 1<<20, release))
	e := newEnv(t, o)

	var wg sync.WaitGroup
	bad := make(chan result, clients)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := tryDo(http.MethodGet, e.url(jarPath), nil, nil)
			if err != nil {
				r.readErr = err
			}
			if !r.clean() || !bytes.Equal(r.body, jar) {
				bad <- r
			}
		}()
	}
	// The upstream holds the fill open until every other client has joined it.
	waitFor(t, "every client to join the fill", func() bool {
		return scrape(t, e, "hoard_fill_waiters_total", "mount", "maven") == clients-1
	})
	close(release)
	wg.Wait()
	close(bad)
	for r := range bad {
		t.Fatalf("herd client: status %d, read error %v", r.status, r.readErr)
	}
	mustGet(t, e.url(jarPath), jar)

	for _, c := range []struct {
		result string
		want   float64
	}{{resultMiss, clients}, {resultHit, 1}} {
		got := scrape(t, e, "hoard_requests_total", "mount", "maven", "format", "maven", "result", c.result)
		if got != c.want {
			t.Errorf("hoard_requests_total{result=%q} = %v, want %v", c.result, got, c.want)
		}
	}
	// One request for the jar and one for its .sha1.
	if got := scrape(t, e, "hoard_upstream_requests_total", "mount", "maven", "code", "2xx"); got != 2 {
		t.Errorf("hoard_upstream_requests_total{code=2xx} = %v, want 2", got)
	}
	if got := scrape(t, e, "hoard_fill_waiters_total", "mount", "maven"); got != clients-1 {
		t.Errorf("hoard_fill_waiters_total = %v, want %d", got, clients-1)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t, newOrigin(t))
	if r := get(t, e.hoard.URL+"/healthz"); r.status != http.StatusOK {
		t.Errorf("/healthz: %d", r.status)
	}
	if r := get(t, e.hoard.URL+"/readyz"); r.status != http.StatusOK {
		t.Errorf("/readyz: %d", r.status)
	}
	e.srv.Drain()
	if r := get(t, e.hoard.URL+"/readyz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz while draining: %d, want 503", r.status)
	}
	if r := get(t, e.hoard.URL+"/healthz"); r.status != http.StatusOK {
		t.Errorf("/healthz while draining: %d, want 200", r.status)
	}
}
