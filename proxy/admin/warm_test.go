package admin

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"hoard/configs"
)

func warmAnswer(t *testing.T, mounts []configs.Mount, req WarmRequest) (int, string) {
	t.Helper()
	s := New(Options{Mounts: mounts, Proxy: http.NotFoundHandler(), PublicURL: "http://hoard.test"})
	b, _ := json.Marshal(req)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("POST", "/api/warm", bytes.NewReader(b)))
	return rec.Code, rec.Body.String()
}

func TestWarmChoosesMountsByFormat(t *testing.T) {
	gem := WarmFile{Name: "Gemfile.lock", Data: []byte("GEM\n  remote: https://x/\n  specs:\n    rack (3.0.8)\n")}
	nuget := WarmFile{Name: "packages.lock.json", Data: []byte(`{"version":1,"dependencies":{"net8.0":{"A":{"type":"Direct","resolved":"1.0.0"}}}}`)}
	npmLock := WarmFile{Name: "package-lock.json", Data: []byte(`{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0"}}}`)}
	two := []configs.Mount{{Name: "npm", Format: "npm"}, {Name: "npm2", Format: "npm"}}
	for _, c := range []struct {
		name   string
		mounts []configs.Mount
		req    WarmRequest
		status int
		want   string
	}{
		{"no rubygems mount", two, WarmRequest{Files: []WarmFile{gem}}, 400, "no mount of format rubygems is configured"},
		{"no nuget mount", two, WarmRequest{Files: []WarmFile{nuget}}, 400, "no mount of format nuget is configured"},
		{"nuget mount", []configs.Mount{{Name: "nuget", Format: "nuget"}}, WarmRequest{Files: []WarmFile{nuget}}, 200, `"summary"`},
		{"rubygems mount", []configs.Mount{{Name: "gems", Format: "rubygems"}}, WarmRequest{Files: []WarmFile{gem}}, 200, `"summary"`},
		{"two npm mounts", two, WarmRequest{Files: []WarmFile{npmLock}}, 400, "choose one with --mount"},
		{"unknown mount", two, WarmRequest{Mount: "nope", Files: []WarmFile{npmLock}}, 400, "--mount nope: no such mount"},
		{"bad lockfile", two, WarmRequest{Files: []WarmFile{{Name: "package-lock.json", Data: []byte("{")}}}, 400, "package-lock.json"},
		{"chosen", two, WarmRequest{Mount: "npm2", Files: []WarmFile{npmLock}}, 200, `"summary"`},
	} {
		status, body := warmAnswer(t, c.mounts, c.req)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, status, body, c.status, c.want)
		}
	}
}

func TestWarmStreamNamesFailures(t *testing.T) {
	npmLock := WarmFile{Name: "package-lock.json", Data: []byte(`{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0"}}}`)}
	status, body := warmAnswer(t, []configs.Mount{{Name: "npm", Format: "npm"}}, WarmRequest{Files: []WarmFile{npmLock}})
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	var last WarmLine
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Summary == nil {
		t.Fatalf("last line %q", lines[len(lines)-1])
	}
	if last.Summary.Failed == 0 || !strings.Contains(strings.Join(last.Summary.Failures, "\n"), "a packument (/npm/a): 404") {
		t.Errorf("summary %+v", last.Summary)
	}
}
