package nuget

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"hoard/formats"
)

// A NuGet feed names its resources in its service index, at URLs of its choosing
// (GitHub: OWNER/download, OWNER/query; nuget.org: other paths again). Routes
// therefore carry symbolic upstream paths, /FEED/SLUG/REST, and the format's
// upstream transport resolves each against the upstream's service index: SLUG's
// resource URL, then REST. The index is read with the request's own credentials
// (GitHub requires them for it) and kept for discoveryTTL per feed; an index that
// cannot be read again is used as last read. A resource on another host than the
// service index is refused: credentials go nowhere but the configured upstream.
//
// The transport also decodes gzip-encoded answers (nuget.org's
// RegistrationsBaseUrl/3.4.0 documents always are), so documents are checked and
// rewritten as JSON and served without an encoding.

// discoveryTTL is how long a feed's service index is trusted.
const discoveryTTL = 5 * time.Minute

// maxServiceIndex bounds an upstream's service index; real ones are a few KB.
const maxServiceIndex = 4 << 20

// UpstreamTransport implements formats.UpstreamTransporter.
func (Format) UpstreamTransport(base http.RoundTripper, o formats.UpstreamOptions) http.RoundTripper {
	return &feedTransport{base: base, upstreams: o.Upstreams, feeds: map[string]*discovered{}}
}

type feedTransport struct {
	base      http.RoundTripper
	upstreams []*url.URL
	mu        sync.Mutex
	feeds     map[string]*discovered // by service index URL
}

// discovered is one feed's service index as last read.
type discovered struct {
	byType map[string]string
	at     time.Time
}

func (t *feedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	up, rest := t.upstreamOf(req.URL)
	if up == nil {
		return t.send(req) // not a symbolic path: a redirect's target, say
	}
	feed, tail, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	index := serviceIndexURL(up, feed)
	if index == nil {
		return notFound(req, "this mount serves one feed, at /v3/index.json"), nil
	}
	if tail == indexFile {
		return t.send(redirected(req, index, ""))
	}
	slug, sub := splitSlug(tail)
	byType, resp, err := t.discover(req, index)
	if resp != nil || err != nil {
		return resp, err
	}
	target, err := resolve(index, pick(byType, slug), slug, sub)
	if err != nil {
		return notFound(req, err.Error()), nil
	}
	return t.send(redirected(req, target, req.URL.RawQuery))
}

// upstreamOf finds the upstream a request URL was built on and the symbolic path
// after it.
func (t *feedTransport) upstreamOf(u *url.URL) (*url.URL, string) {
	for _, up := range t.upstreams {
		if up.Scheme != u.Scheme || up.Host != u.Host {
			continue
		}
		prefix := strings.TrimSuffix(up.EscapedPath(), "/")
		if rest, ok := strings.CutPrefix(u.EscapedPath(), prefix+"/"); ok {
			return up, "/" + rest
		}
	}
	return nil, ""
}

// serviceIndexURL: an upstream whose URL is a service index (…/index.json) is one
// feed, addressed as "v3"; any other is a registry base with one feed per owner at
// BASE/OWNER/index.json (GitHub Packages).
func serviceIndexURL(up *url.URL, feed string) *url.URL {
	if strings.HasSuffix(up.Path, ".json") {
		if feed != "v3" {
			return nil
		}
		return up
	}
	u := *up
	u.Path = strings.TrimSuffix(up.Path, "/") + "/" + feed + "/" + indexFile
	u.RawPath = ""
	return &u
}

// splitSlug reads the resource slug and what follows it from a symbolic path.
func splitSlug(tail string) (slug, sub string) {
	if p := strings.Join(publishPath, "/"); tail == p || strings.HasPrefix(tail, p+"/") {
		return slugPublish, strings.TrimPrefix(strings.TrimPrefix(tail, p), "/")
	}
	slug, sub, _ = strings.Cut(tail, "/")
	return slug, sub
}

// resolve is the upstream URL of sub under a resource: a base (flat container,
// registrations, publish) gets sub after its slash; search endpoints are used as
// they are named.
func resolve(index *url.URL, resource, slug, sub string) (*url.URL, error) {
	if resource == "" {
		return nil, fmt.Errorf("the upstream feed offers no %s resource", slug)
	}
	ref, err := url.Parse(resource)
	if err != nil {
		return nil, fmt.Errorf("the upstream's %s resource is not a URL", slug)
	}
	u := index.ResolveReference(ref)
	if u.Scheme != index.Scheme || u.Host != index.Host {
		return nil, fmt.Errorf("the upstream's %s resource is on another host, which Hoard does not send credentials to", slug)
	}
	u.RawQuery, u.Fragment = "", ""
	if slug != slugQuery && slug != slugComplete {
		joined := strings.TrimSuffix(u.EscapedPath(), "/") + "/" + sub
		p, err := url.PathUnescape(joined)
		if err != nil {
			return nil, err
		}
		u.Path, u.RawPath = p, joined
	}
	return u, nil
}

// redirected is req sent to target instead, with the given query.
func redirected(req *http.Request, target *url.URL, rawQuery string) *http.Request {
	out := req.Clone(req.Context())
	u := *target
	u.RawQuery = rawQuery
	out.URL, out.Host = &u, ""
	return out
}

// send makes the request and decodes a gzip-encoded answer.
func (t *feedTransport) send(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || !strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		return resp, err
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		resp.Body.Close()
		return nil, fmt.Errorf("upstream sent a gzip-encoded answer that is not gzip: %w", err)
	}
	resp.Body = gzipBody{zr, resp.Body}
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength, resp.Uncompressed = -1, true
	return resp, nil
}

type gzipBody struct {
	*gzip.Reader
	raw io.Closer
}

func (g gzipBody) Close() error { g.Reader.Close(); return g.raw.Close() }

// discover returns a feed's resources by type. When the upstream answers its
// service index with anything but 200 and none was read before, that answer is
// returned to be relayed (a 401 challenge, a 404 for an unknown owner).
func (t *feedTransport) discover(req *http.Request, index *url.URL) (map[string]string, *http.Response, error) {
	key := index.String()
	t.mu.Lock()
	d := t.feeds[key]
	t.mu.Unlock()
	if d != nil && time.Since(d.at) < discoveryTTL {
		return d.byType, nil, nil
	}
	byType, resp, err := t.readIndex(req, index)
	if byType != nil {
		t.mu.Lock()
		t.feeds[key] = &discovered{byType: byType, at: time.Now()}
		t.mu.Unlock()
		return byType, nil, nil
	}
	if d != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return d.byType, nil, nil // the last index read is better than none
	}
	return nil, resp, err
}

func (t *feedTransport) readIndex(req *http.Request, index *url.URL) (map[string]string, *http.Response, error) {
	get, err := http.NewRequestWithContext(req.Context(), http.MethodGet, index.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range []string{"Authorization", "X-NuGet-ApiKey", "User-Agent"} {
		if v := req.Header.Get(h); v != "" {
			get.Header.Set(h, v)
		}
	}
	resp, err := t.send(get)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp, nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxServiceIndex+1))
	if err == nil && len(body) > maxServiceIndex {
		err = errors.New("the upstream's service index is too large")
	}
	if err != nil {
		return nil, nil, err
	}
	byType, err := parseServiceIndex(body)
	if err != nil {
		return nil, nil, fmt.Errorf("the upstream's service index: %w", err)
	}
	return byType, nil, nil
}

func notFound(req *http.Request, msg string) *http.Response {
	return &http.Response{
		StatusCode: http.StatusNotFound, Status: "404 Not Found", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
		Body:   io.NopCloser(strings.NewReader(msg + "\n")), ContentLength: int64(len(msg) + 1),
		Request: req,
	}
}
