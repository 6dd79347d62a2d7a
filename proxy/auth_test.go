package proxy

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
)

const privJar = "/acme/repo/com/acme/secret/1.0/secret-1.0.jar"

// authEnv is Hoard with --auth upstream in front of a fake GitHub, with the tokens
// read, write, delete (each with that scope) and other (read, but not allowed to see
// the private package).
type authEnv struct {
	gh   *fakeGitHub
	srv  *Server
	url  string
	dir  string
	logs *lockedBuffer
}

// lockedBuffer collects log lines written from request and fill goroutines at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newAuthEnv(t *testing.T, adjust ...func(*configs.Config)) *authEnv {
	t.Helper()
	gh := newFakeGitHub(t)
	gh.addToken("tok-read", "read:packages")
	gh.addToken("tok-write", "write:packages")
	gh.addToken("tok-delete", "read:packages, delete:packages")
	gh.addToken("tok-other", "read:packages")
	gh.private("/acme/repo/com/acme/secret/", "tok-read", "tok-write", "tok-delete")
	gh.put(privJar, []byte("PK secret jar"))
	dir := t.TempDir()
	store, err := cache.Open(cache.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := testConfig(dir, gh.srv.URL)
	cfg.Auth = configs.Auth{Mode: "upstream", ValidateURL: gh.srv.URL + "/user",
		VerdictTTL: configs.Duration(time.Minute), AccessTTL: configs.Duration(time.Minute)}
	for _, fn := range adjust {
		fn(&cfg)
	}
	logs := &lockedBuffer{}
	srv, hs, _ := startServerLogging(t, store, cfg, zerolog.New(logs))
	return &authEnv{gh: gh, srv: srv, url: hs.URL + "/maven", dir: dir, logs: logs}
}

func basic(tok string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+tok))
}

func (a *authEnv) do(t *testing.T, method, path, tok string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, a.url+path, body)
	if tok != "" {
		req.Header.Set("Authorization", basic(tok))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func TestScopeMatrix(t *testing.T) {
	a := newAuthEnv(t)
	const jar = "/acme/repo/com/acme/pub/1.0/pub-1.0.jar"
	a.gh.put(jar, []byte("PK public jar"))
	cases := []struct {
		tok, method string
		want        int
	}{
		{"", "GET", 401}, {"", "PUT", 401}, {"", "DELETE", 401},
		{"tok-unknown", "GET", 401}, {"tok-unknown", "PUT", 401}, {"tok-unknown", "DELETE", 401},
		{"tok-read", "GET", 200}, {"tok-read", "PUT", 403}, {"tok-read", "DELETE", 403},
		{"tok-write", "GET", 200}, {"tok-write", "PUT", 201}, {"tok-write", "DELETE", 403},
		{"tok-delete", "GET", 200}, {"tok-delete", "PUT", 403}, {"tok-delete", "DELETE", 204},
	}
	for _, c := range cases {
		before := a.gh.requests.Load()
		var body io.Reader
		if c.method == "PUT" {
			body = strings.NewReader("PK new jar")
		}
		path := jar
		if c.method != "GET" {
			path = "/acme/repo/com/acme/pub/2.0/pub-2.0.jar"
		}
		resp, _ := a.do(t, c.method, path, c.tok, body)
		if resp.StatusCode != c.want {
			t.Errorf("%s with %q: %d, want %d", c.method, c.tok, resp.StatusCode, c.want)
		}
		if c.want == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s with %q: 401 without a Basic challenge", c.method, c.tok)
		}
		if (c.want == 401 || c.want == 403) && a.gh.requests.Load() != before {
			t.Errorf("%s with %q: refused request was forwarded upstream", c.method, c.tok)
		}
	}
}

func TestRefusedPublishBodyIsNeverRead(t *testing.T) {
	a := newAuthEnv(t)
	// Headers that promise a megabyte, and no body at all: an answer can only come
	// from a server that refused without reading.
	conn, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(a.url, "/maven"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "PUT /maven/acme/repo/com/acme/x/1.0/x-1.0.jar HTTP/1.1\r\nHost: hoard\r\n"+
		"Authorization: %s\r\nContent-Length: 1048576\r\n\r\n", basic("tok-read"))
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer without the body: %v", err)
	}
	if resp.StatusCode != 403 {
		t.Errorf("got %d, want 403", resp.StatusCode)
	}
	if a.gh.requests.Load() != 0 {
		t.Error("the refused publish reached the upstream")
	}
}

func TestPrivateContentDoesNotLeakFromTheCache(t *testing.T) {
	a := newAuthEnv(t)
	if resp, body := a.do(t, "GET", privJar, "tok-read", nil); resp.StatusCode != 200 || body != "PK secret jar" {
		t.Fatalf("owner: %d %q", resp.StatusCode, body)
	}
	resp, body := a.do(t, "GET", privJar, "tok-other", nil)
	if resp.StatusCode != 404 || strings.Contains(body, "secret") {
		t.Errorf("other token read the cached private jar: %d %q", resp.StatusCode, body)
	}
	resp, _ = a.do(t, "HEAD", privJar, "tok-other", nil)
	if resp.StatusCode != 404 {
		t.Errorf("HEAD by other token: %d", resp.StatusCode)
	}
	before := a.gh.requests.Load()
	if resp, _ := a.do(t, "GET", privJar, "tok-write", nil); resp.StatusCode != 200 {
		t.Errorf("a token the upstream lets read: %d", resp.StatusCode)
	}
	if resp, _ := a.do(t, "GET", privJar, "tok-write", nil); resp.StatusCode != 200 || a.gh.requests.Load()-before != 1 {
		t.Errorf("access confirmations are not cached: %d upstream requests", a.gh.requests.Load()-before)
	}
}

func TestRevokedTokenRefusedWithinBound(t *testing.T) {
	a := newAuthEnv(t, func(c *configs.Config) { c.Auth.VerdictTTL = configs.Duration(300 * time.Millisecond) })
	if resp, _ := a.do(t, "GET", privJar, "tok-read", nil); resp.StatusCode != 200 {
		t.Fatalf("before revocation: %d", resp.StatusCode)
	}
	a.gh.revoke("tok-read")
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, _ := a.do(t, "GET", privJar, "tok-read", nil)
		if resp.StatusCode == 401 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("revoked token still admitted: %d", resp.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestValidatorDownRefusesUnknownVerdicts(t *testing.T) {
	a := newAuthEnv(t)
	a.gh.down.Store(true)
	resp, _ := a.do(t, "GET", privJar, "tok-read", nil)
	if resp.StatusCode != 503 {
		t.Errorf("validator down: %d, want 503", resp.StatusCode)
	}
}

func TestRateLimitPerAddress(t *testing.T) {
	a := newAuthEnv(t, func(c *configs.Config) { c.Limits = configs.Limits{PerAddressRPS: 0.001, Burst: 2} })
	codes := []int{}
	for i := 0; i < 3; i++ {
		resp, _ := a.do(t, "GET", privJar, "tok-read", nil)
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if codes[2] != 429 {
		t.Errorf("codes %v, want the third refused with 429", codes)
	}
}

func TestAuditLineNamesNoToken(t *testing.T) {
	a := newAuthEnv(t)
	a.do(t, "PUT", "/acme/repo/com/acme/x/1.0/x-1.0.jar", "tok-write", strings.NewReader("PK"))
	a.do(t, "DELETE", "/acme/repo/com/acme/x/1.0/x-1.0.jar", "tok-delete", nil)
	a.do(t, "GET", privJar, "tok-other", nil)
	logs := a.logs.String()
	if strings.Count(logs, `"audit":true`) != 2 || !strings.Contains(logs, `"who":"tok_`) {
		t.Errorf("audit lines missing:\n%s", logs)
	}
	for _, tok := range []string{"tok-write", "tok-delete", "tok-other", basic("tok-write")} {
		if strings.Contains(logs, tok) {
			t.Errorf("a token appears in the log: %s", tok)
		}
	}
}
