package proxy

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"hoard/configs"
)

// An abbreviated packument whose full packument (the one that dates it) cannot
// be fetched: min_age hides every version rather than letting them all through,
// and the answer says why.
func TestPolicyNpmUndatedFailsClosed(t *testing.T) {
	abbrev := []byte(`{"name":"left-pad","dist-tags":{"latest":"1.1.0"},"versions":{"1.0.0":{"version":"1.0.0","dist":{}},"1.1.0":{"version":"1.1.0","dist":{}}}}`)
	o := newOrigin(t)
	o.fault("/left-pad", func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Accept"), "vnd.npm.install-v1") {
			w.Header().Set("Content-Type", "application/json")
			w.Write(abbrev)
			return
		}
		http.Error(w, "down", http.StatusBadGateway)
	})
	accept := http.Header{"Accept": {"application/vnd.npm.install-v1+json"}}
	_, base, _ := newPolicyNpmEnv(t, o, configs.Policy{MinAge: configs.Age(72 * time.Hour)})
	r := do(t, http.MethodGet, base+"/left-pad", nil, accept)
	if strings.Contains(string(r.body), `"1.1.0"`) || !strings.Contains(r.header.Get(hiddenHeader), "release time unknown") {
		t.Fatalf("status %d %s=%q body %s", r.status, hiddenHeader, r.header.Get(hiddenHeader), r.body)
	}
	_, base, _ = newPolicyNpmEnv(t, o, configs.Policy{MinAge: configs.Age(72 * time.Hour), Undated: "allow"})
	if r := do(t, http.MethodGet, base+"/left-pad", nil, accept); !strings.Contains(string(r.body), `"1.1.0"`) {
		t.Fatalf("undated: allow hid versions: %s", r.body)
	}
}
