package main_test

// npm through the real hoard binary against two in-process registries, no client
// tools needed: @acme/* goes to one upstream and everything else to the other, with
// no fall-through on 404; tarball URLs naming other hosts are rewritten and fetched
// from the configured upstream only; a tarball that fails its integrity is never
// cached; a publish is cached and invalidates the packument; a 409 is relayed as it
// came; and the npm sanity suites' bad input gets a 4xx and reaches no upstream.

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"hoard/bench/npmreg"
)

// fakeNpm serves fixed documents by escaped path and records every request.
type fakeNpm struct {
	mu        sync.Mutex
	docs      map[string][]byte
	seen      []string
	putStatus int
}

func (f *fakeNpm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	seen := r.Method + " " + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		seen += "?" + r.URL.RawQuery
	}
	f.seen = append(f.seen, seen)
	body, ok := f.docs[r.URL.EscapedPath()]
	status := f.putStatus
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPut:
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(status)
		io.WriteString(w, `{"from":"fake upstream","status":"`+http.StatusText(status)+`"}`)
	case !ok:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":"not found"}`)
	default:
		if strings.Contains(r.URL.Path, "/-/") || strings.HasPrefix(r.URL.Path, "/download/") {
			w.Header().Set("Content-Type", "application/octet-stream")
		}
		w.Write(body)
	}
}

func (f *fakeNpm) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.seen...)
}

func packumentJSON(name, version, tarball string, tgz []byte) []byte {
	b, _ := json.Marshal(map[string]any{"name": name, "dist-tags": map[string]string{"latest": version},
		"versions": map[string]any{version: map[string]any{"name": name, "version": version,
			"dist": map[string]string{"tarball": tarball, "integrity": npmreg.Integrity(tgz)}}}})
	return b
}

func tgzOf(t *testing.T, name, version string) []byte {
	t.Helper()
	b, err := npmreg.Package{Name: name, Version: version}.Tarball()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func do(t *testing.T, method, url, accept string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func tarballOf(t *testing.T, doc []byte) string {
	t.Helper()
	var d struct {
		Versions map[string]struct{ Dist struct{ Tarball string } }
	}
	if err := json.Unmarshal(doc, &d); err != nil || len(d.Versions) != 1 {
		t.Fatalf("packument %s: %v", doc, err)
	}
	for _, v := range d.Versions {
		return v.Dist.Tarball
	}
	return ""
}

func TestNpmRoutingVerifyAndBadInput(t *testing.T) {
	needE2E(t)
	tool, pad, good, bad := tgzOf(t, "@acme/tool", "1.0.0"), tgzOf(t, "left-pad", "1.0.0"), tgzOf(t, "corrupt", "1.0.0"), tgzOf(t, "corrupt", "6.6.6")
	acme := &fakeNpm{putStatus: 201, docs: map[string][]byte{
		"/@acme%2ftool":                     packumentJSON("@acme/tool", "1.0.0", "https://pkgs.invalid/download/@acme/tool/1.0.0/abc123", tool),
		"/download/@acme/tool/1.0.0/abc123": tool,
	}}
	public := &fakeNpm{putStatus: 201, docs: map[string][]byte{
		"/left-pad":                      packumentJSON("left-pad", "1.0.0", "http://elsewhere.invalid/left-pad/-/left-pad-1.0.0.tgz", pad),
		"/left-pad/-/left-pad-1.0.0.tgz": pad,
		"/@acme%2fmissing":               packumentJSON("@acme/missing", "1.0.0", "http://x.invalid/a.tgz", pad),
		"/corrupt":                       packumentJSON("corrupt", "1.0.0", "http://x.invalid/corrupt/-/corrupt-1.0.0.tgz", good),
		"/corrupt/-/corrupt-1.0.0.tgz":   bad,
		"/tool":                          packumentJSON("tool", "0.9.0", "http://x.invalid/tool/-/tool-0.9.0.tgz", pad),
		"/-/v1/search":                   []byte(`{"objects":[],"total":0}`),
	}}
	a, p := startUpstream(t, acme), startUpstream(t, public)
	h := startNpmHoard(t, "    upstreams:\n      - {url: \""+a.URL()+"\", match: [\"@acme/*\"]}\n      - {url: \""+p.URL()+"\"}")
	reg := h.URL + "/npm"
	const abbrev = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"

	// @acme/* from its upstream, with GitHub Packages' tarball layout, on another host.
	status, doc := do(t, "GET", reg+"/@acme%2ftool", abbrev, nil)
	if want := reg + "/@acme/tool/-/dl/download/@acme/tool/1.0.0/abc123"; status != 200 || tarballOf(t, doc) != want {
		t.Fatalf("@acme/tool: %d, tarball %q, want %q", status, tarballOf(t, doc), want)
	}
	if status, body := do(t, "GET", tarballOf(t, doc), "", nil); status != 200 || !bytes.Equal(body, tool) {
		t.Fatalf("@acme/tool tarball: %d, %d bytes", status, len(body))
	}
	// Everything else from the other; a tarball URL on another host is fetched there.
	status, doc = do(t, "GET", reg+"/left-pad", "", nil)
	if want := reg + "/left-pad/-/left-pad-1.0.0.tgz"; status != 200 || tarballOf(t, doc) != want {
		t.Fatalf("left-pad: %d, tarball %q", status, tarballOf(t, doc))
	}
	if status, body := do(t, "GET", tarballOf(t, doc), "", nil); status != 200 || !bytes.Equal(body, pad) {
		t.Fatalf("left-pad tarball: %d", status)
	}
	// A 404 for @acme/* is the answer: the catch-all upstream is never asked.
	if status, body := do(t, "GET", reg+"/@acme%2fmissing", "", nil); status != 404 || !bytes.Contains(body, []byte(`"error"`)) {
		t.Fatalf("@acme/missing: %d %s", status, body)
	}
	if got := strings.Join(acme.requests(), "\n"); got != "GET /@acme%2ftool\nGET /download/@acme/tool/1.0.0/abc123\nGET /@acme%2fmissing" {
		t.Errorf("acme upstream saw:\n%s", got)
	}
	for _, r := range public.requests() {
		if strings.Contains(r, "acme") {
			t.Errorf("the catch-all upstream was asked for %s", r)
		}
	}
	// Search passes through, query and all, and is never cached.
	for range 2 {
		if status, body := do(t, "GET", reg+"/-/v1/search?text=left&size=1", "", nil); status != 200 || string(body) != `{"objects":[],"total":0}` {
			t.Fatalf("search: %d %s", status, body)
		}
	}
	if n := strings.Count(strings.Join(public.requests(), "\n"), "GET /-/v1/search?text=left&size=1"); n != 2 {
		t.Errorf("search reached the upstream %d times, want 2", n)
	}
	// A tarball that fails dist.integrity is refused and not cached.
	for range 2 {
		if status, _ := do(t, "GET", reg+"/corrupt/-/corrupt-1.0.0.tgz", "", nil); status != http.StatusBadGateway {
			t.Fatalf("corrupt tarball: %d, want 502", status)
		}
	}
	if n := strings.Count(strings.Join(public.requests(), "\n"), "GET /corrupt/-/corrupt-1.0.0.tgz"); n != 2 {
		t.Errorf("corrupt tarball fetched %d times, want 2 (never cached)", n)
	}

	checkBadInput(t, h, reg, acme, public)
	checkPublishCaches(t, reg, public)
}

// checkBadInput sends the npm sanity suites' bad input: each gets a 4xx in npm's JSON
// and nothing reaches an upstream.
func checkBadInput(t *testing.T, h *hoardProc, reg string, ups ...*fakeNpm) {
	t.Helper()
	before := 0
	for _, u := range ups {
		before += len(u.requests())
	}
	for _, path := range []string{"/__proto__", "/node_modules", "/@acme%2f__proto__", "/..%2f..%2fetc%2fpasswd",
		"/foo%2f%2e%2e", "/@acme%2f..%2fother", "/@acme%2f%2e%2e%2fother/-/other-1.0.0.tgz", "/foo/-/..%2ffoo-1.0.0.tgz",
		"/foo/-/%2e%2e%2f%2e%2e%2fx.tgz", "/@acme/tool/-/dl/%2e%2e/%2e%2e/etc"} {
		if status, body := do(t, "GET", reg+path, "", nil); status/100 != 4 || !bytes.HasPrefix(body, []byte(`{"error":`)) {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
	}
	tgz := tgzOf(t, "tool", "1.0.0")
	body, _ := npmreg.Package{Name: "tool", Version: "1.0.0"}.PublishBody(reg, tgz)
	edit := func(old, new string) []byte { return bytes.Replace(body, []byte(old), []byte(new), 1) }
	for name, b := range map[string][]byte{
		"truncated":          body[:len(body)-10],
		"nested deep":        []byte(`{"name":"tool","x":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`),
		"bad base64":         edit(`"data":"`, `"data":"!`),
		"length mismatch":    edit(`"length":`, `"length":1`),
		"integrity mismatch": edit(`"integrity":"sha512-`, `"integrity":"sha512-AAAA`),
		"name differs":       edit(`"name":"tool"`, `"name":"other"`),
	} {
		if status, resp := do(t, "PUT", reg+"/tool", "", b); status != 400 || !bytes.HasPrefix(resp, []byte(`{"error":`)) {
			t.Errorf("publish with %s: %d %s", name, status, resp)
		}
	}
	// A body cut short on the wire: the declared length never arrives.
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "PUT /npm/tool HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
	conn.Write(body[:100])
	conn.(*net.TCPConn).CloseWrite()
	if reply, _ := io.ReadAll(conn); !bytes.HasPrefix(reply, []byte("HTTP/1.1 400")) {
		t.Errorf("truncated transfer: %.60q", reply)
	}
	after := 0
	for _, u := range ups {
		after += len(u.requests())
	}
	if after != before {
		t.Errorf("bad input reached an upstream (%d requests)", after-before)
	}
}

// checkPublishCaches publishes through hoard: the packument is invalidated, the
// tarball is served from the cache, and a 409 comes back as the upstream sent it.
func checkPublishCaches(t *testing.T, reg string, up *fakeNpm) {
	t.Helper()
	count := func(s string) int { return strings.Count(strings.Join(up.requests(), "\n")+"\n", s+"\n") }
	do(t, "GET", reg+"/tool", "", nil)
	do(t, "GET", reg+"/tool", "", nil)
	if n := count("GET /tool"); n != 1 {
		t.Fatalf("packument fetched %d times before the publish, want 1", n)
	}
	tgz := tgzOf(t, "tool", "1.0.0")
	body, _ := npmreg.Package{Name: "tool", Version: "1.0.0"}.PublishBody(reg, tgz)
	if status, resp := do(t, "PUT", reg+"/tool", "", body); status != 201 {
		t.Fatalf("publish: %d %s", status, resp)
	}
	if status, got := do(t, "GET", reg+"/tool/-/tool-1.0.0.tgz", "", nil); status != 200 || !bytes.Equal(got, tgz) {
		t.Fatalf("published tarball: %d", status)
	}
	if n := count("GET /tool/-/tool-1.0.0.tgz"); n != 0 {
		t.Errorf("the published tarball was fetched upstream %d times", n)
	}
	do(t, "GET", reg+"/tool", "", nil)
	if n := count("GET /tool"); n != 2 {
		t.Errorf("packument fetched %d times after the publish, want 2 (invalidated)", n)
	}
	up.mu.Lock()
	up.putStatus = http.StatusConflict
	up.mu.Unlock()
	status, resp := do(t, "PUT", reg+"/tool", "", body)
	if want := `{"from":"fake upstream","status":"Conflict"}`; status != http.StatusConflict || string(resp) != want {
		t.Errorf("conflict: %d %s, want 409 %s", status, resp, want)
	}
}
