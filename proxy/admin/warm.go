package admin

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"hoard/formats/lockfile"
	"hoard/proxy/warm"
)

// WarmRequest is the body of POST /api/warm.
type WarmRequest struct {
	// Mount serves the files of its format; files of other formats go to the one
	// mount of their format.
	Mount string `json:"mount,omitempty"`
	// Prefix is a path under the mount before the repository layout (GitHub Maven's
	// OWNER/REPO).
	Prefix string `json:"prefix,omitempty"`
	// Token is sent with every request as a client's would be (checked, and used
	// upstream with passthrough credentials): "user:password" as Basic, anything
	// else as Bearer; empty: anonymous.
	Token    string     `json:"token,omitempty"`
	Parallel int        `json:"parallel,omitempty"`
	Files    []WarmFile `json:"files"`
}

// WarmFile is one lockfile or list, as its name and bytes.
type WarmFile struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// WarmLine is one line of the answer's stream: an event, or at the end the summary.
type WarmLine struct {
	Event   *warm.Event   `json:"event,omitempty"`
	Summary *warm.Summary `json:"summary,omitempty"`
}

// maxWarmBody bounds the request: lockfiles of the largest projects are a few MB.
const maxWarmBody = 256 << 20

// warm parses every file and picks its mount before anything is fetched, so a bad
// file or a missing mount is a 400 that starts nothing; then it streams one JSON
// line per request and the summary.
func (s *Server) warm(w http.ResponseWriter, r *http.Request) {
	var req WarmRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxWarmBody)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "the body is not a warm request: "+err.Error())
		return
	}
	targets, err := s.warmTargets(req)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	var mu sync.Mutex
	enc := json.NewEncoder(w)
	emit := func(l WarmLine) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(l)
		_ = rc.Flush()
	}
	auth := ""
	switch {
	case strings.Contains(req.Token, ":"): // user:password, as Maven and NuGet clients send it
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(req.Token))
	case req.Token != "":
		auth = "Bearer " + req.Token
	}
	sum := warm.Run(r.Context(), warm.Options{Handler: s.o.Proxy, PublicURL: s.o.PublicURL, Auth: auth,
		Parallel: req.Parallel, Event: func(ev warm.Event) { emit(WarmLine{Event: &ev}) }}, targets)
	s.o.Logger.Info().Int("fetched", sum.Fetched).Int("cached", sum.Cached).Int("failed", sum.Failed).
		Int64("fetched_bytes", sum.FetchedBytes).Msg("warm done")
	emit(WarmLine{Summary: &sum})
}

// warmTargets reads each file and chooses its mount: --mount for its format, else
// the one mount of the file's format.
func (s *Server) warmTargets(req WarmRequest) ([]warm.Target, error) {
	if len(req.Files) == 0 {
		return nil, fmt.Errorf("no files to warm from")
	}
	if req.Mount != "" {
		if _, ok := s.mountByName(req.Mount); !ok {
			return nil, fmt.Errorf("--mount %s: no such mount (mounts: %s)", req.Mount, s.mountList())
		}
	}
	var targets []warm.Target
	for _, f := range req.Files {
		l, err := lockfile.Parse(f.Name, f.Data)
		if err != nil {
			return nil, err
		}
		mount, err := s.mountFor(l, req.Mount)
		if err != nil {
			return nil, err
		}
		if !warm.Supported(l.Format) {
			return nil, fmt.Errorf("%s: warming a %s mount is not built into this binary yet", f.Name, l.Format)
		}
		targets = append(targets, warm.Target{Mount: mount, Format: l.Format, Prefix: req.Prefix, List: l})
	}
	return targets, nil
}

func (s *Server) mountFor(l lockfile.List, chosen string) (string, error) {
	if m, ok := s.mountByName(chosen); ok && m.Format == l.Format {
		return m.Name, nil
	}
	var names []string
	for _, m := range s.o.Mounts {
		if m.Format == l.Format {
			names = append(names, m.Name)
		}
	}
	switch len(names) {
	case 0:
		return "", fmt.Errorf("%s names %s packages, and no mount of format %s is configured (mounts: %s)",
			l.File, l.Format, l.Format, s.mountList())
	case 1:
		return names[0], nil
	}
	return "", fmt.Errorf("%s names %s packages and several mounts serve them (%s): choose one with --mount",
		l.File, l.Format, strings.Join(names, ", "))
}

func (s *Server) mountList() string {
	var out []string
	for _, m := range s.o.Mounts {
		out = append(out, m.Name+" ("+m.Format+")")
	}
	return strings.Join(out, ", ")
}
