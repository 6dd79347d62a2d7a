// Package conformance is the suite every format passes: its traversal forms, its
// error shape, which reads are immutable and which are metadata, the stability of
// its cache keys, its parsing of hostile publish bodies, what it answers through the
// interfaces that refine a route (read whole, removes, rewritten passthrough), and
// the engine's paths
// (miss, hit, revalidate, stale, negative) run through the real engine in front of a
// fake upstream. A format registers by describing itself in a Subject, in a test of
// this package named after it; TestEveryFormatRegistered fails for a built-in format
// that has none.
//
// It imports formats, proxy, cache and configs, and is imported by tests only.
package conformance

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"hoard/formats"
)

// Request is one client request, addressed inside a mount.
type Request struct {
	Method string // GET when empty
	// Path is the escaped path after the mount, from its slash on, with any query:
	// "/com/acme/lib/1.0/lib-1.0.jar", "/lib/img/manifests/v1".
	Path   string
	Header http.Header
	Body   []byte
}

// Sample is a request and how the format must read it.
type Sample struct {
	Request
	Kind formats.Kind
	// Key is the route's cache key, pinned: a format that changes a key orphans
	// every entry cached under the old one.
	Key string
}

// Fixture is what the fake upstream serves at one path: 200 with Body, an ETag of
// its digest (and 304 to a matching If-None-Match), and Header.
type Fixture struct {
	Body   []byte
	Header http.Header
}

// Subject describes a format to the suite.
type Subject struct {
	// New makes the format; each check gets a fresh one.
	New func() formats.Format
	// ErrorType starts the Content-Type of every error answer.
	ErrorType string
	// Samples are requests of every kind the format reads, with their kinds and keys.
	// The read samples are also where traversal forms are spliced in.
	Samples []Sample
	// Publish is a valid publish of a body the format parses (PublishParser);
	// HostilePublish are bodies for the same route that must be refused.
	Publish        *Request
	HostilePublish [][]byte
	// Traits are what the format answers yes for, through the interfaces that
	// refine a route (see Trait), by sample ("GET /path", as failures name it);
	// every sample not listed must get no.
	Traits map[string][]Trait
	// Upstream is the fake upstream's content, by upstream path (with query).
	Upstream map[string]Fixture
	// Artifact and Metadata are reads the upstream can answer; Missing is an
	// artifact it cannot. Their Header is sent with each of them.
	Artifact, Metadata, Missing Request
}

// T is what the checks need of a test; *testing.T is one, and so is the recorder
// the suite's own test uses to see a broken format fail.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	TempDir() string
	Cleanup(func())
}

// check is one part of the suite.
type check struct {
	name string
	run  func(t T, s Subject)
}

var checks = []check{
	{"classification", checkClassification},
	{"key-stability", checkKeyStability},
	{"traversal", checkTraversal},
	{"error-shape", checkErrorShape},
	{"hostile-publish", checkHostilePublish},
	{"traits", checkTraits},
	{"engine", checkEngine},
}

// Run runs every check of the suite on s, each as a subtest.
func Run(t *testing.T, s Subject) {
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { c.run(t, s) })
	}
}

// Failures runs every check on s and returns what failed, by check, instead of
// failing t: the suite's own test of a broken format reads them.
func Failures(t *testing.T, s Subject) map[string][]string {
	out := map[string][]string{}
	for _, c := range checks {
		rec := &recorder{T: t}
		c.run(rec, s)
		if len(rec.failed) > 0 {
			out[c.name] = rec.failed
		}
	}
	return out
}

// recorder is a T that keeps failures instead of reporting them.
type recorder struct {
	*testing.T
	failed []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}

// newRequest makes req as the server receives it at mount.
func newRequest(f formats.Format, mount string, req Request) (*http.Request, string) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	rest, _, _ := strings.Cut(req.Path, "?")
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	r := httptest.NewRequest(method, publicPath(f, mount, req.Path), body)
	for k, v := range req.Header {
		r.Header[k] = v
	}
	return r, rest
}

// publicPath is where clients address path inside mount: under the format's API
// root when it has one.
func publicPath(f formats.Format, mount, path string) string {
	if rf, ok := f.(formats.Rooted); ok {
		return "/" + rf.APIRoot() + "/" + mount + path
	}
	return "/" + mount + path
}

// route reads req with a fresh request, as the engine would.
func route(f formats.Format, req Request) (formats.Route, error) {
	r, rest := newRequest(f, "m", req)
	return f.Route(r, rest)
}

// describe names a request in failure messages.
func describe(req Request) string {
	m := req.Method
	if m == "" {
		m = http.MethodGet
	}
	return m + " " + req.Path
}
