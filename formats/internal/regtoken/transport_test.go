package regtoken

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeRegistry answers as a registry with anonymous pull tokens: GET /v2/ is a
// Bearer challenge, /token issues tokens (after gate, when set), and any other
// request needs one.
type fakeRegistry struct {
	pings, tokens, gets atomic.Int64
	gate                chan struct{} // token requests wait for it, when not nil
	pingGate            chan struct{} // pings after the first wait for it, when not nil
}

func (f *fakeRegistry) RoundTrip(req *http.Request) (*http.Response, error) {
	answer := func(status int, h http.Header, body string) *http.Response {
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: req}
	}
	challenge := http.Header{"Www-Authenticate": {`Bearer realm="https://reg.test/token",service="reg.test"`}}
	switch req.URL.Path {
	case "/v2/":
		if f.pings.Add(1) > 1 && f.pingGate != nil {
			<-f.pingGate
		}
		return answer(http.StatusUnauthorized, challenge, ""), nil
	case "/token":
		f.tokens.Add(1)
		if f.gate != nil {
			<-f.gate
		}
		return answer(http.StatusOK, http.Header{}, `{"token":"t","expires_in":300}`), nil
	}
	f.gets.Add(1)
	if req.Header.Get("Authorization") != "Bearer t" {
		return answer(http.StatusUnauthorized, challenge, ""), nil
	}
	return answer(http.StatusOK, http.Header{}, "manifest"), nil
}

func newTestTransport(f *fakeRegistry) (*Transport, *url.URL) {
	up, _ := url.Parse("https://reg.test")
	t := New(f, Config{
		Upstreams: []*url.URL{up},
		Scope:     func(*http.Request) string { return "repository:lib/app:pull" },
		Refused: func(msg string) *http.Response {
			return &http.Response{StatusCode: http.StatusUnauthorized, Body: io.NopCloser(strings.NewReader(msg))}
		},
	})
	return t, up
}

func get(t *testing.T, tr *Transport, cred string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "https://reg.test/v2/lib/app/manifests/1", nil)
	if cred != "" {
		req.Header.Set("Authorization", cred)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Error(err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET with %q: %d", cred, resp.StatusCode)
	}
}

// Callers without credentials (none, or an empty Basic as some clients send)
// asking at once for one scope share one token request and its answer.
func TestAnonymousCallersShareOneTokenRequest(t *testing.T) {
	f := &fakeRegistry{gate: make(chan struct{})}
	tr, _ := newTestTransport(f)
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			get(t, tr, []string{"", "Basic Og=="}[i%2])
		}()
	}
	for f.tokens.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the others are waiting on it now
	close(f.gate)
	wg.Wait()
	if got := f.tokens.Load(); got != 1 {
		t.Errorf("token requests = %d, want 1 for every anonymous caller", got)
	}
	if got := f.gets.Load(); got != 6 {
		t.Errorf("manifest requests = %d, want 6, each with the token at once", got)
	}
}

// Once the upstream's challenge is known, a request sends its token with the
// first try; when the challenge is due to be learnt again, that happens in the
// background and the request does not wait for it.
func TestKnownChallengeIsNotWaitedFor(t *testing.T) {
	f := &fakeRegistry{pingGate: make(chan struct{})}
	defer close(f.pingGate)
	tr, _ := newTestTransport(f)
	now := time.Now()
	tr.now = func() time.Time { return now }
	get(t, tr, "")
	if f.pings.Load() != 1 || f.gets.Load() != 1 {
		t.Fatalf("first request: %d pings, %d manifest requests; want 1 and 1 (no 401 round trip)", f.pings.Load(), f.gets.Load())
	}
	now = now.Add(pingTTL + time.Second)
	done := make(chan struct{})
	go func() { get(t, tr, ""); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a request waited for the challenge to be learnt again")
	}
	if got := f.gets.Load(); got != 2 {
		t.Errorf("manifest requests = %d, want 2", got)
	}
}
