package main_test

// The README's quick start, as a new operator types it: a public npm mirror in one
// command line must serve anonymous npm, and the same line without --auth none must
// say in its 401 what is missing and where that is configured.

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"hoard/bench/npmreg"
)

func TestQuickStartPublicNpmMirror(t *testing.T) {
	requireNpmTools(t)
	v, token := startVerdaccio(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := npmreg.Publish(ctx, v.URL, token, npmreg.Package{Name: "hoard-public-pkg", Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	mount := "npm=npm," + v.URL

	// The quick start's line: --auth none, --mount; nothing else but a port and dir.
	h := startHoard(t, t.TempDir(), "--auth", "none", "--mount", mount)
	c := newNpmClient(t, h.URL+"/npm/", "")
	project := writeProject(t, map[string]string{"hoard-public-pkg": "^1.0.0"})
	if out, err := c.install(project, "npm"); err != nil {
		t.Fatalf("anonymous npm through the public mirror: %v\n%s", err, out)
	}
	if got := installed(t, project, "hoard-public-pkg"); !got["hoard-public-pkg@1.0.0"] {
		t.Fatalf("installed %v", keys(got))
	}

	// Token checks on (the default): the 401 says which mode, which token, and how to
	// turn them off for a public mirror.
	locked := startHoard(t, t.TempDir(), "--auth", "upstream", "--mount", mount)
	resp, err := http.Get(locked.URL + "/npm/hoard-public-pkg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous GET with token checks on: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{"auth.mode is upstream", "read:packages", "https://api.github.com/user", "--auth none", "anonymous_read"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("401 body lacks %q: %s", want, body)
		}
	}
}
