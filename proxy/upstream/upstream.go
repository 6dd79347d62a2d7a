// Package upstream is how Hoard talks to the registries behind it: the shared HTTP
// client (TLS verified, no compression, a pool of its own for fills that wait on
// nothing), redirects that never carry credentials to another host, retries with
// backoff, a circuit breaker per upstream, the credential a mount sends, and which
// upstream of a group serves a package. It knows no cache and no format: it imports
// configs only (the registry token protocol, which a format names, is in
// formats/internal/regtoken).
package upstream

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"hoard/configs"
)

// UserAgent identifies Hoard to upstreams.
const UserAgent = "hoard/1"

// Upstream is one configured upstream base URL with its breaker.
type Upstream struct {
	Base    *url.URL
	match   []string
	client  *http.Client
	breaker *breaker
	retries int
	backoff time.Duration
	// headerBudget bounds the wait for response headers per client request, retries
	// included (budget.go).
	headerBudget time.Duration
}

// NewClient builds the transport every upstream shares. TLS verification stays on;
// compression is off so the bytes cached are the bytes the upstream's digests cover.
func NewClient(c configs.Upstream) *http.Client {
	dialer := &net.Dialer{Timeout: c.ConnectTimeout.D(), KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 proxyAvoiding(c.SelfProxy),
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   c.ConnectTimeout.D(),
		ResponseHeaderTimeout: c.HeaderTimeout.D(),
		IdleConnTimeout:       c.IdleTimeout.D(),
		MaxConnsPerHost:       c.MaxConnsPerHost,
		MaxIdleConnsPerHost:   c.MaxConnsPerHost,
		DisableCompression:    true,
		ForceAttemptHTTP2:     true,
	}
	pools := poolTransport{main: tr, leaves: tr.Clone()}
	return &http.Client{Transport: pools, CheckRedirect: stripCredentialsOffHost}
}

// poolTransport gives fills that never wait on another fill (those of routes without
// sidecars: checksum files, whoever asked for them) connections of their own. A fill
// with sidecars holds its upstream connection open while it waits for the checksum
// fill; drawn from one pool capped at max_conns_per_host, that many concurrent fills
// would each wait for a connection only another could free, until the fill timeout.
// Leaf fills wait on nothing, so their pool always drains, and so does the main one.
type poolTransport struct{ main, leaves *http.Transport }

type leafPoolKey struct{}

// OnLeafPool marks upstream requests made under ctx as a leaf fill's.
func OnLeafPool(ctx context.Context) context.Context {
	return context.WithValue(ctx, leafPoolKey{}, true)
}

func (p poolTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Context().Value(leafPoolKey{}) != nil {
		return p.leaves.RoundTrip(req)
	}
	return p.main.RoundTrip(req)
}

func (p poolTransport) CloseIdleConnections() {
	p.main.CloseIdleConnections()
	p.leaves.CloseIdleConnections()
}

// stripCredentialsOffHost follows redirects (to object storage, say) but never carries
// credentials to a host other than the one first asked; net/http alone would still
// send them to a subdomain.
func stripCredentialsOffHost(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	// A change of scheme counts too: https://h to http://h keeps the Host but would
	// send the credentials in the clear.
	if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
		req.Header.Del("Authorization")
		req.Header.Del("Cookie")
	}
	return nil
}

func New(rule configs.UpstreamRule, client *http.Client, c configs.Upstream) (*Upstream, error) {
	base, err := url.Parse(rule.URL)
	if err != nil {
		return nil, err
	}
	return &Upstream{
		Base: base, match: rule.Match, client: client,
		breaker: newBreaker(c.BreakerFailures, c.BreakerCooldown.D()),
		retries: c.Retries, backoff: c.RetryBackoff.D(), headerBudget: c.HeaderTimeout.D(),
	}, nil
}

// Serves reports whether this upstream is configured for the package. A pattern
// matches the name or any of its leading path segments, so "com/acme/*" covers
// "com/acme/x/1.0" and "@acme/*" covers "@acme/tool".
func (u *Upstream) Serves(pkg string) bool {
	if len(u.match) == 0 {
		return true
	}
	for _, p := range u.match {
		if matchesPrefix(p, pkg) {
			return true
		}
	}
	return false
}

func matchesPrefix(pattern, pkg string) bool {
	for prefix := pkg; ; prefix = path.Dir(prefix) {
		if ok, _ := path.Match(pattern, prefix); ok {
			return true
		}
		if !strings.Contains(prefix, "/") {
			return false
		}
	}
}

// URL joins the base and an already validated, escaped path.
func (u *Upstream) URL(escapedPath, rawQuery string) string {
	s := u.Base.String()
	if len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	if rawQuery != "" {
		return s + escapedPath + "?" + rawQuery
	}
	return s + escapedPath
}

// Do sends one request through the breaker. Idempotent requests are retried with
// backoff on transport errors and 502/503/504; the last response is returned.
func (u *Upstream) Do(req *http.Request) (*http.Response, error) {
	if !u.breaker.allow() {
		return nil, ErrBreakerOpen
	}
	resp, err := u.withinBudget(req, u.doRetrying)
	if err != nil && errors.Is(req.Context().Err(), context.Canceled) {
		// The caller left (a client gone mid-upload cancels its request): not the
		// upstream's failure, or a few flaky clients would open the breaker for all.
		u.breaker.release()
		return resp, err
	}
	u.breaker.done(err == nil && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests)
	return resp, err
}

func (u *Upstream) doRetrying(req *http.Request) (*http.Response, error) {
	idempotent := req.Method == http.MethodGet || req.Method == http.MethodHead
	wait := u.backoff
	for attempt := 0; ; attempt++ {
		resp, err := u.client.Do(req)
		if !idempotent || attempt >= u.retries || !retryable(resp, err) || req.Context().Err() != nil {
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		select {
		case <-time.After(wait):
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
		wait *= 2
	}
}

func retryable(resp *http.Response, err error) bool {
	if err != nil {
		return true
	}
	switch resp.StatusCode {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// NewRequest builds an upstream request carrying only what the upstream needs.
func NewRequest(ctx context.Context, method, target string, auth string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("building upstream request: %w", err)
	}
	req.Header.Set("User-Agent", UserAgent)
	// The bytes cached must be the bytes published: no encoding, please (a body
	// encoded anyway is decoded by the engine).
	req.Header.Set("Accept-Encoding", "identity")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return req, nil
}
