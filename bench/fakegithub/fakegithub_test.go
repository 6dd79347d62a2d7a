package fakegithub

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func newFake(t *testing.T) (*Server, map[string]string) {
	t.Helper()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddMembers("acme", "alice")
	toks := map[string]string{
		"read": s.AddToken("alice", "read:packages"), "write": s.AddToken("alice", "write:packages"),
		"delete": s.AddToken("alice", "read:packages, delete:packages"), "bob": s.AddToken("bob", "read:packages"),
		"none": s.AddToken("alice", "repo"),
	}
	return s, toks
}

func call(t *testing.T, method, url, auth string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no redirects followed
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestUserEndpoint(t *testing.T) {
	s, toks := newFake(t)
	resp, _ := call(t, "GET", s.URL(API)+"/user", "token "+toks["delete"], nil)
	if resp.StatusCode != 200 || resp.Header.Get("X-OAuth-Scopes") != "read:packages, delete:packages" {
		t.Fatalf("known token: %d %q", resp.StatusCode, resp.Header.Get("X-OAuth-Scopes"))
	}
	for _, auth := range []string{"", "token ghp_nope", "Bearer ghp_nope"} {
		if resp, _ := call(t, "GET", s.URL(API)+"/user", auth, nil); resp.StatusCode != 401 || resp.Header.Get("X-OAuth-Scopes") != "" {
			t.Errorf("%q: %d", auth, resp.StatusCode)
		}
	}
	s.Revoke(toks["read"])
	if resp, _ := call(t, "GET", s.URL(API)+"/user", "token "+toks["read"], nil); resp.StatusCode != 401 {
		t.Errorf("revoked: %d", resp.StatusCode)
	}
	s.SetAPIDown(true)
	if resp, _ := call(t, "GET", s.URL(API)+"/user", "token "+toks["write"], nil); resp.StatusCode != 503 {
		t.Errorf("down: %d", resp.StatusCode)
	}
}

func TestMavenRules(t *testing.T) {
	s, toks := newFake(t)
	s.SeedMaven("acme", "com/acme/lib/1.0/lib-1.0.jar", []byte("jar"))
	jar := s.URL(Maven) + "/acme/repo/com/acme/lib/1.0/lib-1.0.jar"
	cases := []struct {
		method, url, tok string
		want             int
	}{
		{"GET", jar, "", 401}, {"GET", jar, "ghp_unknown", 401}, {"GET", jar, toks["none"], 403},
		{"GET", jar, toks["bob"], 404}, {"GET", jar, toks["read"], 200}, {"GET", jar + ".sha1", toks["write"], 200},
		{"PUT", jar, toks["write"], 409}, {"PUT", jar + "x", toks["read"], 403}, {"PUT", jar + "x", toks["write"], 201},
		{"DELETE", jar, toks["write"], 403}, {"DELETE", jar, toks["delete"], 204}, {"GET", jar, toks["read"], 404},
	}
	for _, c := range cases {
		auth := ""
		if c.tok != "" {
			auth = basic("alice", c.tok)
		}
		resp, _ := call(t, c.method, c.url, auth, []byte("body"))
		if resp.StatusCode != c.want {
			t.Errorf("%s %s with %q: %d, want %d", c.method, c.url, c.tok, resp.StatusCode, c.want)
		}
		if resp.StatusCode == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
			t.Errorf("401 without a Basic challenge")
		}
	}
}

func TestNpmRules(t *testing.T) {
	s, toks := newFake(t)
	s.SeedNpm("@acme/lib", "1.0.0", []byte("tgz"), map[string]any{"description": "x"})
	doc := s.URL(Npm) + "/@acme%2flib"
	resp, body := call(t, "GET", doc, "Bearer "+toks["read"], nil)
	var p struct {
		Versions map[string]struct{ Dist struct{ Tarball string } }
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &p) != nil {
		t.Fatalf("packument: %d %s", resp.StatusCode, body)
	}
	tarball := p.Versions["1.0.0"].Dist.Tarball
	if tarball != s.URL(Npm)+s.NpmTarballPath("@acme/lib", "1.0.0") {
		t.Fatalf("dist.tarball %q", tarball)
	}
	for tok, want := range map[string]int{"": 401, toks["bob"]: 404, toks["read"]: 200} {
		auth := ""
		if tok != "" {
			auth = "Bearer " + tok
		}
		if resp, _ := call(t, "GET", tarball, auth, nil); resp.StatusCode != want {
			t.Errorf("tarball with %q: %d, want %d", tok, resp.StatusCode, want)
		}
	}
	if resp, _ := call(t, "DELETE", doc+"/-rev/1-x", "Bearer "+toks["write"], nil); resp.StatusCode != 403 {
		t.Errorf("unpublish with write: %d", resp.StatusCode)
	}
	if resp, _ := call(t, "DELETE", doc+"/-rev/1-x", "Bearer "+toks["delete"], nil); resp.StatusCode != 200 {
		t.Errorf("unpublish with delete: %d", resp.StatusCode)
	}
}

func TestContainerRegistryTokenExchange(t *testing.T) {
	s, toks := newFake(t)
	img := s.SeedImage("acme/app", "v1", map[string]string{"hello.txt": "hi"})
	resp, _ := call(t, "GET", s.URL(Ghcr)+"/v2/", "", nil)
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `realm="`+s.URL(Ghcr)+`/token"`) {
		t.Fatalf("ping: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	token := func(tok, scope string) (int, string) {
		auth := ""
		if tok != "" {
			auth = basic("alice", tok)
		}
		resp, body := call(t, "GET", s.URL(Ghcr)+"/token?scope="+scope, auth, nil)
		var tr struct{ Token string }
		json.Unmarshal(body, &tr)
		return resp.StatusCode, tr.Token
	}
	if code, _ := token("ghp_unknown", "repository:acme/app:pull"); code != 403 {
		t.Errorf("unknown token at the token exchange: %d", code)
	}
	manifest := s.URL(Ghcr) + "/v2/acme/app/manifests/v1"
	blob := s.URL(Ghcr) + "/v2/acme/app/blobs/" + img.Layers[0]
	for _, c := range []struct {
		tok  string
		want int
	}{{"", 401}, {toks["bob"], 403}, {toks["read"], 200}} {
		_, reg := token(c.tok, "repository:acme/app:pull")
		if resp, _ := call(t, "GET", manifest, "Bearer "+reg, nil); resp.StatusCode != c.want {
			t.Errorf("manifest with %q: %d, want %d", c.tok, resp.StatusCode, c.want)
		}
	}
	_, reg := token(toks["read"], "repository:acme/app:pull,push")
	resp, _ = call(t, "GET", blob, "Bearer "+reg, nil)
	if resp.StatusCode != 307 || !strings.HasPrefix(resp.Header.Get("Location"), s.URL(Storage)) {
		t.Fatalf("blob: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := call(t, "GET", resp.Header.Get("Location"), "", nil); resp.StatusCode != 200 || !bytes.Equal(body, img.LayerBodies[0]) {
		t.Errorf("storage: %d", resp.StatusCode)
	}
	if resp, _ := call(t, "POST", s.URL(Ghcr)+"/v2/acme/app/blobs/uploads/", "Bearer "+reg, nil); resp.StatusCode != 403 {
		t.Errorf("push with a read-only token: %d", resp.StatusCode)
	}
	_, reg = token(toks["write"], "repository:acme/app:pull,push")
	resp, _ = call(t, "POST", s.URL(Ghcr)+"/v2/acme/app/blobs/uploads/", "Bearer "+reg, nil)
	if resp.StatusCode != 202 {
		t.Fatalf("push with write: %d", resp.StatusCode)
	}
	loc := s.URL(Ghcr) + resp.Header.Get("Location")
	call(t, "PATCH", loc, "Bearer "+reg, []byte("new blob"))
	if resp, _ := call(t, "PUT", loc+"?digest="+digestOf([]byte("new blob")), "Bearer "+reg, nil); resp.StatusCode != 201 {
		t.Errorf("closing the upload: %d", resp.StatusCode)
	}
	if !s.HasBlob("acme/app", digestOf([]byte("new blob"))) {
		t.Error("pushed blob not stored")
	}
}
