package main_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"hoard/bench/fakegithub"
)

// leakGuard knows every token a test used, in every form a client sends it, and
// everything hoard said to the test. When the test ends it greps hoard's whole log,
// its /metrics, every answer (headers and body) and every client's output for them:
// a credential must never appear in a log line, an error body or a metric.
type leakGuard struct {
	mu      sync.Mutex
	secrets []secretForm
	seen    []seenText
}

type secretForm struct {
	value string
	label string // what it is, for the failure message; never the secret itself
}

type seenText struct {
	where string
	text  []byte
}

// secret registers a token: raw (Bearer, "token", X-NuGet-ApiKey), and inside Basic
// credentials with the user names the tests send.
func (g *leakGuard) secret(role, login string, tok string) {
	if tok == "" {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.secrets = append(g.secrets, secretForm{tok, "token " + role})
	for _, user := range []string{login, "x", ""} {
		enc := base64.StdEncoding.EncodeToString([]byte(user + ":" + tok))
		g.secrets = append(g.secrets, secretForm{enc, "Basic credentials of token " + role})
	}
}

// sawReply records one of hoard's answers.
func (g *leakGuard) sawReply(where string, h http.Header, body []byte) {
	var b bytes.Buffer
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k + ": " + strings.Join(h[k], ", ") + "\n")
	}
	b.Write(body)
	g.saw("answer to "+where, b.Bytes())
}

// saw records text that came from hoard by way of a client (its output).
func (g *leakGuard) saw(where string, text []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seen = append(g.seen, seenText{where, append([]byte(nil), text...)})
}

// check reads /metrics from the running hoard, stops it, reads its whole log, and
// fails the test for every token (or registry token, or signed storage URL the fake
// handed out) found in any of them or in the answers seen.
func (g *leakGuard) check(t *testing.T, h *hoardProc, gh *fakegithub.Server) {
	t.Helper()
	var metrics []byte
	if h.running() {
		client := &http.Client{Timeout: 30 * time.Second}
		if resp, err := client.Get(h.URL + "/metrics"); err == nil {
			metrics, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		h.Stop()
	}
	logText, err := os.ReadFile(h.LogPath)
	if err != nil {
		t.Errorf("leak check: reading hoard's log: %v", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	secrets := append([]secretForm(nil), g.secrets...)
	for _, s := range gh.Issued() {
		secrets = append(secrets, secretForm{s, "a registry token or blob storage signature the upstream issued"})
	}
	sources := append([]seenText{{"hoard's log " + h.LogPath, logText}, {"/metrics", metrics}}, g.seen...)
	found := 0
	for _, src := range sources {
		for _, s := range secrets {
			if bytes.Contains(src.text, []byte(s.value)) {
				found++
				t.Errorf("leak: %s found in %s", s.label, src.where)
			}
		}
	}
	logLines := bytes.Count(logText, []byte("\n"))
	if logLines == 0 || !bytes.Contains(metrics, []byte("hoard_requests_total")) || len(g.seen) == 0 {
		t.Errorf("leak check had too little to look at: %d log lines, %d bytes of metrics, %d answers", logLines, len(metrics), len(g.seen))
	}
	if found == 0 {
		t.Logf("leak check: %d log lines, %d metrics lines, %d answers and client outputs searched for %d forms of %d secrets: none found",
			logLines, bytes.Count(metrics, []byte("\n")), len(g.seen), len(secrets), countTokens(secrets))
	}
}

func countTokens(s []secretForm) int {
	n := 0
	for _, f := range s {
		if !strings.HasPrefix(f.label, "Basic") {
			n++
		}
	}
	return n
}
