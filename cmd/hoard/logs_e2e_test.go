package main_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// logLines reads hoard's JSON log.
func logLines(t *testing.T, h *hoardProc) []map[string]any {
	t.Helper()
	f, err := os.Open(h.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// findLine is the first line with message msg whose fields include want.
func findLine(lines []map[string]any, msg string, want map[string]any) map[string]any {
	for _, l := range lines {
		if l["message"] != msg {
			continue
		}
		ok := true
		for k, v := range want {
			if fmt.Sprint(l[k]) != fmt.Sprint(v) {
				ok = false
			}
		}
		if ok {
			return l
		}
	}
	return nil
}

func metricLine(t *testing.T, h *hoardProc, prefix string) string {
	t.Helper()
	resp, err := http.Get(h.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// The log says what an operator needs: units in field names, who asked, which mount
// and path a failed fill was for, and when an upstream's breaker opens and closes.
func TestLogFieldsAndBreakerTransitions(t *testing.T) {
	needE2E(t)
	up := startUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("PK artifact"))
	}))
	up.Close() // down until the breaker has opened
	cfg := writeConfig(t, fmt.Sprintf(`upstream: {retries: 0, breaker_failures: 2, breaker_cooldown: 1s}
mounts:
  - {name: maven, format: maven, upstream: %q}
`, up.URL()))
	h := startHoard(t, t.TempDir(), "--config", cfg)
	gauge := fmt.Sprintf(`hoard_upstream_breaker_open{mount="maven",upstream=%q}`, up.URL())
	if l := metricLine(t, h, gauge); l != gauge+" 0" {
		t.Errorf("before any failure: %q, want %s 0", l, gauge)
	}
	get := func(path string) int {
		req, _ := http.NewRequest("GET", h.URL+path, nil)
		req.Header.Set("User-Agent", "hoard-log-test/1.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Each miss also asks for the jar's checksum file: the breaker opens within two.
	opened := false
	for i := 0; i < 4 && !opened; i++ {
		switch s := get(fmt.Sprintf("/maven/a/b/1.%d/b-1.%d.jar", i, i)); s {
		case 409:
			opened = true
		case 502:
		default:
			t.Fatalf("miss with the upstream down: %d, want 502 or, once the breaker is open, 409", s)
		}
	}
	if !opened {
		t.Fatal("the breaker never opened")
	}
	if l := metricLine(t, h, gauge); l != gauge+" 1" {
		t.Errorf("after two failures: %q, want %s 1", l, gauge)
	}
	up.Start()
	eventually(t, 10*time.Second, "the breaker lets a probe through after its cooldown", func() bool {
		return get("/maven/a/b/2.0/b-2.0.jar") == 200
	})
	if l := metricLine(t, h, gauge); l != gauge+" 0" {
		t.Errorf("after a probe succeeded: %q, want %s 0", l, gauge)
	}
	h.Stop()
	lines := logLines(t, h)
	for _, c := range []struct {
		msg  string
		want map[string]any
	}{
		{"upstream fill failed", map[string]any{"mount": "maven", "path": "/maven/a/b/1.0/b-1.0.jar"}},
		{"upstream breaker opened: misses are refused until a probe succeeds", map[string]any{"mount": "maven", "upstream": up.URL(), "failures": 2}},
		{"upstream breaker closed: the upstream answers again", map[string]any{"mount": "maven", "upstream": up.URL()}},
		{"request", map[string]any{"path": "/maven/a/b/2.0/b-2.0.jar", "status": 200, "client": "127.0.0.1", "user_agent": "hoard-log-test/1.0"}},
		{"fill started", map[string]any{"mount": "maven", "path": "/a/b/2.0/b-2.0.jar"}},
		{"upstream answered", map[string]any{"mount": "maven", "status": 200, "upstream": up.URL()}},
	} {
		if findLine(lines, c.msg, c.want) == nil {
			t.Errorf("no %q line with %v", c.msg, c.want)
		}
	}
	if l := findLine(lines, "request", nil); l == nil || l["took_ms"] == nil || l["took"] != nil {
		t.Errorf("access line %v: want took_ms and no unitless took", l)
	}
}
