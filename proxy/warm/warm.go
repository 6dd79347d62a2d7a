// Package warm fills the cache with everything a lockfile or image list names, by
// sending the daemon's own handler the requests a client would send: each is served,
// coalesced with any client asking for the same thing, verified and counted as a
// client's would be. What one answer names (a packument's tarball URL, a POM's
// parent, an index's manifests) is read from the answer, as the client would.
//
// It imports formats/lockfile only; the handler it drives is handed in by cmd.
package warm

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"hoard/formats/lockfile"
)

// Results of one request.
const (
	Fetched = "fetched" // filled from the upstream (or revalidated)
	Cached  = "cached"  // already in the cache
	Failed  = "failed"
	// Absent: an optional file the upstream does not have (a checksum file, the
	// referrers of a registry without that API); not counted.
	Absent = "absent"
)

// Options configure a run.
type Options struct {
	Handler   http.Handler // the daemon's client handler
	PublicURL string       // rewritten URLs point here; it is taken off to get a path
	// Auth is the Authorization header the requests carry ("" for none): a client
	// token, checked and used upstream as any client's would be.
	Auth     string
	Parallel int // requests at once (default 8)
	// Event hears every request's outcome, in the order they end.
	Event func(Event)
}

// Event is one request's outcome.
type Event struct {
	What   string `json:"what"` // the package or image, and which of its files
	Path   string `json:"path"`
	Result string `json:"result"`
	Bytes  int64  `json:"bytes"`
	Error  string `json:"error,omitempty"`
	// Planned is how many requests are known so far, for a progress bar.
	Planned int64 `json:"planned"`
}

// Target is one list and the mount that serves it.
type Target struct {
	Mount  string
	Format string
	Prefix string // path under the mount before the repository layout (GitHub Maven's OWNER/REPO)
	List   lockfile.List
}

// Summary is what a run did.
type Summary struct {
	Fetched      int      `json:"fetched"`
	Cached       int      `json:"cached"`
	Failed       int      `json:"failed"`
	FetchedBytes int64    `json:"fetched_bytes"`
	Failures     []string `json:"failures,omitempty"`
	Skipped      []string `json:"skipped,omitempty"`
}

// planner turns a list into requests for one format.
type planner func(r *run, t Target)

var planners = map[string]planner{
	lockfile.NPM:   planNpm,
	lockfile.Maven: planMaven,
	lockfile.OCI:   planOCI,
	// RubyGems is warmed by the compact index bundler reads.
	lockfile.RubyGems: planRubyGems,
	lockfile.NuGet:    planNuGet,
}

// Supported reports whether lists of a format can be warmed by this binary.
func Supported(format string) bool { _, ok := planners[format]; return ok }

// Run warms every target and reports what it did.
func Run(ctx context.Context, o Options, targets []Target) Summary {
	if o.Parallel <= 0 {
		o.Parallel = 8
	}
	r := &run{ctx: ctx, o: o, slots: make(chan struct{}, o.Parallel), seen: map[string]bool{}}
	for _, t := range targets {
		for _, s := range t.List.Skipped {
			r.sum.Skipped = append(r.sum.Skipped, t.List.File+": "+s)
		}
		planners[t.Format](r, t)
	}
	r.wg.Wait()
	sort.Strings(r.sum.Failures)
	return r.sum
}

// run is one warm's state: the bound on requests, the paths already asked for, and
// the counts.
type run struct {
	ctx     context.Context
	o       Options
	slots   chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	seen    map[string]bool
	sum     Summary
	planned atomic.Int64
}

// request is one GET to send.
type request struct {
	what   string
	path   string // escaped path, from the root
	accept string
	// capture asks for the body (a document to read further requests from); limit
	// bounds it.
	capture bool
	// optional: a 404 is not a failure (a checksum file a repository may not have).
	optional bool
	// then runs with the captured body after a 200.
	then func(body []byte)
}

// do schedules req unless its path was asked for already in this run.
func (r *run) do(req request) {
	r.mu.Lock()
	dup := r.seen[req.path+"\x00"+req.accept]
	r.seen[req.path+"\x00"+req.accept] = true
	r.mu.Unlock()
	if dup {
		return
	}
	r.planned.Add(1)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		select {
		case r.slots <- struct{}{}:
		case <-r.ctx.Done():
			r.record(req, Event{Result: Failed, Error: r.ctx.Err().Error()})
			return
		}
		res, body := r.send(req)
		<-r.slots
		r.record(req, res)
		if (res.Result == Fetched || res.Result == Cached) && req.then != nil && body != nil {
			req.then(body)
		}
	}()
}

// fail records a failure found without a request (a version the packument lacks).
func (r *run) fail(what, path, reason string) {
	r.planned.Add(1)
	r.record(request{what: what, path: path}, Event{Result: Failed, Error: reason})
}

func (r *run) record(req request, ev Event) {
	ev.What, ev.Path, ev.Planned = req.what, req.path, r.planned.Load()
	r.mu.Lock()
	switch ev.Result {
	case Fetched:
		r.sum.Fetched++
		r.sum.FetchedBytes += ev.Bytes
	case Cached:
		r.sum.Cached++
	case Failed:
		r.sum.Failed++
		r.sum.Failures = append(r.sum.Failures, fmt.Sprintf("%s (%s): %s", req.what, req.path, ev.Error))
	}
	r.mu.Unlock()
	if r.o.Event != nil {
		r.o.Event(ev)
	}
}

// localPath turns a URL the daemon rewrote (public URL and path) back into a path;
// "" when it points elsewhere.
func (r *run) localPath(u string) string {
	rest, ok := strings.CutPrefix(u, r.o.PublicURL)
	if !ok || !strings.HasPrefix(rest, "/") {
		return ""
	}
	return rest
}
