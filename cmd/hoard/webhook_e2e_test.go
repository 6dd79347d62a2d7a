package main_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hoard/bench/npmreg"
)

// webhookSecret is GitHub's documented example secret.
const webhookSecret = "It's a Secret to Everybody"

// hook sends one delivery to hoard's GitHub webhook; sig "" signs the body with the
// secret, anything else is sent as the signature header as it is.
func hook(t *testing.T, e *authEnv, event, delivery, sig string, body []byte) reply {
	t.Helper()
	if sig == "" {
		mac := hmac.New(sha256.New, []byte(webhookSecret))
		mac.Write(body)
		sig = "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	return e.do("POST", "/-/hoard/webhook/github", "", body, "X-GitHub-Event", event, "X-GitHub-Delivery", delivery,
		"X-Hub-Signature-256", sig, "Content-Type", "application/json")
}

// webhookCase is one format's metadata, how to change it upstream, and the event
// GitHub sends for the change.
type webhookCase struct {
	name   string
	read   func(e *authEnv, c cred) reply
	change func(e *authEnv, round int) string // changes the package upstream; returns what the new metadata holds
	event  func(round int) string             // a registry_package delivery's body
}

var webhookCases = []webhookCase{
	{
		name: "npm",
		read: func(e *authEnv, c cred) reply {
			return e.do("GET", "/npm/@acme%2flib", c.bearer(), nil, "Accept", "application/vnd.npm.install-v1+json")
		},
		change: func(e *authEnv, round int) string {
			v := fmt.Sprintf("1.0.%d", round)
			e.gh.SeedNpm("@acme/lib", v, npmTgz("@acme/lib", v), npmreg.Package{Name: "@acme/lib", Version: v}.Manifest())
			return `"` + v + `"`
		},
		event: func(round int) string {
			return fmt.Sprintf(`{"action":"published","registry_package":{"name":"lib","namespace":"acme","ecosystem":"npm","package_type":"npm",
				"owner":{"login":"acme"},"package_version":{"version":"1.0.%d"}}}`, round)
		},
	},
	{
		name: "maven",
		read: func(e *authEnv, c cred) reply {
			return e.do("GET", "/maven/acme/repo/com/acme/lib/maven-metadata.xml", c.basic(), nil)
		},
		change: func(e *authEnv, round int) string {
			v := fmt.Sprintf("3.%d", round)
			e.gh.SeedMaven(ghOwner, "com/acme/lib/maven-metadata.xml", mavenMetadata("com.acme", "lib", "1.0", v))
			return "<version>" + v + "</version>"
		},
		event: func(round int) string {
			return fmt.Sprintf(`{"action":"published","registry_package":{"name":"com.acme.lib","namespace":"acme","ecosystem":"maven","package_type":"maven",
				"owner":{"login":"acme"},"package_version":{"version":"3.%d"}}}`, round)
		},
	},
	{
		name: "oci",
		read: func(e *authEnv, c cred) reply {
			return e.do("GET", "/v2/ghcr/acme/app/manifests/v1", c.basic(), nil, "Accept", ociAccept)
		},
		change: func(e *authEnv, round int) string {
			img := e.gh.SeedImage("acme/app", "v1", map[string]string{"app.txt": fmt.Sprintf("round %d", round)})
			return img.Layers[0]
		},
		event: func(round int) string {
			return `{"action":"published","registry_package":{"name":"app","namespace":"acme","ecosystem":"CONTAINER","package_type":"CONTAINER",
				"owner":{"login":"acme"},"package_version":{"version":"sha256:0","container_metadata":{"tag":{"name":"v1"}}}}}`
		},
	},
}

// TestWebhookExpiresMetadata: against the real hoard binary and the fake GitHub, a
// signed registry_package delivery makes the next request for that package's
// metadata revalidate long before its TTL, for npm, Maven and OCI; a bad signature,
// a malformed body and a replayed delivery id change nothing.
func TestWebhookExpiresMetadata(t *testing.T) {
	e := newAuthEnv(t)
	for _, f := range matrixFormats {
		f.seed(e)
	}
	secretFile := filepath.Join(t.TempDir(), "webhook-secret")
	if err := os.WriteFile(secretFile, []byte(webhookSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.start(hoardConfig{top: fmt.Sprintf("webhook: {secret: %q}", "file:"+secretFile)})
	c := e.creds["read"]
	if r := hook(t, e, "ping", "ping-1", "", []byte(`{"zen":"Design for failure."}`)); r.status != 200 {
		t.Fatalf("ping: %d %s", r.status, r.body)
	}
	for _, wc := range webhookCases {
		t.Run(wc.name, func(t *testing.T) {
			if r := wc.read(e, c); r.status != 200 {
				t.Fatalf("first read: %d %s", r.status, r.body)
			}
			stale := wc.change(e, 1)
			// stillCached: the upstream's change is not served. (Right after a fill
			// the answer may come from that fill, still committing, as a "miss".)
			stillCached := func(what string) {
				t.Helper()
				r := wc.read(e, c)
				if r.status != 200 || r.header.Get("X-Hoard-Cache") == "revalidated" || bytes.Contains(r.body, []byte(stale)) {
					t.Errorf("after %s: %d, X-Hoard-Cache %q, new content served: %v", what, r.status, r.header.Get("X-Hoard-Cache"), bytes.Contains(r.body, []byte(stale)))
				}
			}
			stillCached("the upstream changed")
			body := []byte(wc.event(1))
			if r := hook(t, e, "registry_package", wc.name+"-bad", "sha256="+strings.Repeat("0", 64), body); r.status != 401 {
				t.Errorf("bad signature: %d %s", r.status, r.body)
			}
			if r := hook(t, e, "registry_package", wc.name+"-unsigned", "none", body); r.status != 401 {
				t.Errorf("no signature: %d %s", r.status, r.body)
			}
			if r := hook(t, e, "registry_package", wc.name+"-malformed", "", []byte(`{"action":"published","registry_package":`)); r.status != 400 {
				t.Errorf("malformed body: %d %s", r.status, r.body)
			}
			stillCached("refused deliveries")
			if r := hook(t, e, "registry_package", wc.name+"-1", "", body); r.status != 200 || !bytes.Contains(r.body, []byte(`"expired"`)) {
				t.Fatalf("signed delivery: %d %s", r.status, r.body)
			}
			r := wc.read(e, c)
			if r.status != 200 || !bytes.Contains(r.body, []byte(stale)) || r.header.Get("X-Hoard-Cache") == "hit" {
				t.Errorf("after the delivery: %d, X-Hoard-Cache %q, new content: %v", r.status, r.header.Get("X-Hoard-Cache"), bytes.Contains(r.body, []byte(stale)))
			}
			stale = wc.change(e, 2)
			if r := hook(t, e, "registry_package", wc.name+"-1", "", body); r.status != 200 || !bytes.Contains(r.body, []byte("duplicate")) {
				t.Errorf("replayed delivery: %d %s", r.status, r.body)
			}
			stillCached("a replayed delivery")
		})
	}
	checkWebhookMetric(t, e)
}

func checkWebhookMetric(t *testing.T, e *authEnv) {
	t.Helper()
	resp, err := http.Get(e.h.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	for _, want := range []string{
		`hoard_webhook_events_total{event="registry_package",result="expired"} 3`,
		`hoard_webhook_events_total{event="registry_package",result="bad_signature"} 6`,
		`hoard_webhook_events_total{event="registry_package",result="duplicate"} 3`,
		`hoard_webhook_events_total{event="ping",result="ping"} 1`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
