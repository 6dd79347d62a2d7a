package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// matrixWant is what GitHub answers each caller for each action: 401 without a token
// or with one it does not know, 403 without the scope, and success (0) otherwise.
var matrixWant = map[string]map[string]int{
	"none":    {"read": 401, "publish": 401, "delete": 401},
	"unknown": {"read": 401, "publish": 401, "delete": 401},
	"read":    {"read": 0, "publish": 403, "delete": 403},
	"write":   {"read": 0, "publish": 0, "delete": 403},
	"delete":  {"read": 0, "publish": 403, "delete": 0},
}

var matrixRoles = []string{"none", "unknown", "read", "write", "delete"}

// TestAuthMatrix: every mounted format x (no token, unknown token, read-only, write,
// delete) x (read, publish, delete), in Go HTTP against the real hoard binary with
// --auth upstream in front of the fake GitHub. A refusal is the protocol's own 401
// (with its challenge) or 403, and reaches no upstream; an allowed action reaches the
// upstream and does there what it says.
func TestAuthMatrix(t *testing.T) {
	e := newAuthEnv(t)
	for _, f := range matrixFormats {
		f.seed(e)
	}
	e.start(hoardConfig{})
	writes := 0 // publish and delete requests, refused or not: each needs an audit line
	n := 0
	for _, f := range matrixFormats {
		for _, role := range matrixRoles {
			c := e.creds[role]
			for _, action := range []string{"read", "publish", "delete"} {
				n++
				want := matrixWant[role][action]
				t.Run(f.name+"/"+role+"/"+action, func(t *testing.T) {
					before := e.upstreamRequests()
					var steps []step
					switch action {
					case "read":
						steps = f.read(e, c)
					case "publish":
						steps = f.pub(e, c, n)
					case "delete":
						steps = f.del(e, c)
					}
					if action != "read" {
						writes += len(steps)
					}
					if want == 0 {
						checkAllowed(t, e, f, action, steps, n)
						return
					}
					for _, s := range steps {
						checkRefused(t, f, s, want)
					}
					if after := e.upstreamRequests(); after != before {
						t.Errorf("refused requests reached the upstream (%d requests):\n%s", after-before, e.lastUpstream(int(after-before)))
					}
				})
			}
		}
		if f.name == "oci" {
			t.Run("oci/api-root", func(t *testing.T) { checkOCIPing(t, e) })
		}
	}
	checkAuditLines(t, e, writes)
}

func checkAllowed(t *testing.T, e *authEnv, f matrixFormat, action string, steps []step, n int) {
	t.Helper()
	for _, s := range steps {
		if s.got.status != s.want {
			t.Errorf("%s: %d, want %d: %s", s.name, s.got.status, s.want, s.got.body)
		}
	}
	switch {
	case action == "publish" && !f.pubbed(e, n):
		t.Errorf("publish answered but did not reach the upstream:\n%s", e.lastUpstream(10))
	case action == "delete" && !f.gone(e):
		t.Errorf("delete answered but the upstream still has the content:\n%s", e.lastUpstream(10))
	}
}

func checkRefused(t *testing.T, f matrixFormat, s step, want int) {
	t.Helper()
	r := s.got
	if r.status != want {
		t.Errorf("%s: %d, want %d: %s", s.name, r.status, want, r.body)
		return
	}
	if want == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Basic realm="`) {
		t.Errorf("%s: 401 with WWW-Authenticate %q, want a Basic challenge", s.name, r.header.Get("WWW-Authenticate"))
	}
	f.refusal(t, r)
}

// checkOCIPing: GET /v2/ challenges a client without credentials and one whose token
// GitHub does not know (so docker login fails), and answers 200 to the others.
func checkOCIPing(t *testing.T, e *authEnv) {
	for _, role := range matrixRoles {
		r := e.do("GET", "/v2/", e.creds[role].basic(), nil)
		want := 200
		if role == "none" || role == "unknown" {
			want = 401
		}
		if r.status != want {
			t.Errorf("GET /v2/ as %s: %d, want %d", role, r.status, want)
		}
	}
}

// checkAuditLines: every publish and delete, refused or sent upstream, left an audit
// line naming the caller by a token fingerprint (or as anonymous), never the token.
func checkAuditLines(t *testing.T, e *authEnv, writes int) {
	t.Helper()
	f, err := os.Open(e.h.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byStatus := map[int]int{}
	audits := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if !bytes.Contains(sc.Bytes(), []byte(`"audit":true`)) {
			continue
		}
		var line struct {
			Who, Action, Package string
			Status               int
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("audit line is not JSON: %v", err)
			continue
		}
		audits++
		byStatus[line.Status]++
		if (!strings.HasPrefix(line.Who, "tok_") && line.Who != "anonymous") || line.Package == "" || line.Action == "" {
			t.Errorf("audit line without a token fingerprint, package or action: %s", sc.Bytes())
		}
	}
	if audits != writes {
		t.Errorf("%d audit lines for %d publish and delete requests", audits, writes)
	}
	t.Logf("%d audit lines for %d publish and delete requests; by status: %v", audits, writes, byStatus)
}
