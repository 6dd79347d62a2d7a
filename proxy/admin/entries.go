package admin

import (
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"hoard/cache"
	"hoard/configs"
)

const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// ListedEntry is one entry of GET /api/entries.
type ListedEntry struct {
	Mount      string     `json:"mount"`
	Format     string     `json:"format"`
	Key        string     `json:"key"` // the path within the mount: package and file
	Size       int64      `json:"size"`
	Digest     string     `json:"digest"`
	Metadata   bool       `json:"metadata"` // a document with a TTL, not an immutable artifact
	Private    bool       `json:"private"`
	Pinned     bool       `json:"pinned"` // eviction passes it by
	Hits       int64      `json:"hits"`   // answers from the cache (see usage.Counter)
	FetchedAt  time.Time  `json:"fetched_at"`
	LastAccess *time.Time `json:"last_access,omitempty"`
}

// EntriesPage is one page of GET /api/entries.
type EntriesPage struct {
	Entries []ListedEntry `json:"entries"`
	// Next, when set, is the cursor for the following page (?after=NEXT).
	Next string `json:"next,omitempty"`
}

// selection is which entries a listing or a purge is about: every entry of one
// mount (or of every mount), narrowed by a package pattern.
type selection struct {
	mounts  []configs.Mount
	pattern string
}

// newSelection checks the mount name and the pattern an operator gave.
func (s *Server) newSelection(mount, pattern string) (selection, string) {
	sel := selection{mounts: s.o.Mounts, pattern: strings.Trim(pattern, "/")}
	if mount != "" {
		m, ok := s.mountByName(mount)
		if !ok {
			return sel, "no mount called " + strconv.Quote(mount)
		}
		sel.mounts = []configs.Mount{m}
	}
	if _, err := path.Match(sel.pattern, ""); err != nil {
		return sel, "bad pattern " + strconv.Quote(pattern) + ": " + err.Error()
	}
	return sel, ""
}

// matches reports whether a key within a mount belongs to the selection. A
// pattern matches the key or any of its leading path segments, as a mount's
// upstreams[].match does: "com/acme/*" covers com/acme/x/1.0/x-1.0.jar.
func (sel selection) matches(key string) bool {
	if sel.pattern == "" {
		return true
	}
	for p := key; ; p = path.Dir(p) {
		if ok, _ := path.Match(sel.pattern, p); ok {
			return true
		}
		if !strings.Contains(p, "/") {
			return false
		}
	}
}

// each calls fn for every selected entry, mount by mount in the configured order,
// starting after the cursor (a full cache key, "mount/key"), until fn returns false.
func (s *Server) each(r *http.Request, sel selection, after string, fn func(m configs.Mount, l cache.Listed) bool) error {
	mounts := sel.mounts
	if after != "" {
		mounts = fromCursor(mounts, after)
	}
	for _, m := range mounts {
		prefix := m.Name + "/"
		from := ""
		if strings.HasPrefix(after, prefix) {
			from = after
		}
		stopped := false
		err := s.o.Store.List(r.Context(), prefix, from, func(l cache.Listed) bool {
			if !sel.matches(strings.TrimPrefix(l.Key, prefix)) {
				return true
			}
			stopped = !fn(m, l)
			return !stopped
		})
		if err != nil || stopped {
			return err
		}
	}
	return nil
}

// fromCursor drops the mounts listed before the cursor's own.
func fromCursor(mounts []configs.Mount, after string) []configs.Mount {
	for i, m := range mounts {
		if strings.HasPrefix(after, m.Name+"/") {
			return mounts[i:]
		}
	}
	return nil
}

// entries serves GET /api/entries?mount=NAME&pattern=PATTERN&limit=N&after=CURSOR.
func (s *Server) entries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sel, bad := s.newSelection(q.Get("mount"), q.Get("pattern"))
	if bad != "" {
		writeError(w, http.StatusBadRequest, bad)
		return
	}
	limit := defaultPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			writeError(w, http.StatusBadRequest, "limit must be a number from 1 to "+strconv.Itoa(maxPageSize))
			return
		}
		limit = n
	}
	page := EntriesPage{Entries: []ListedEntry{}}
	var last string
	err := s.each(r, sel, q.Get("after"), func(m configs.Mount, l cache.Listed) bool {
		if len(page.Entries) == limit {
			page.Next = last
			return false
		}
		e := toListed(m, l)
		e.Hits = s.o.Usage.Hits(l.Key)
		page.Entries = append(page.Entries, e)
		last = l.Key
		return true
	})
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func toListed(m configs.Mount, l cache.Listed) ListedEntry {
	e := ListedEntry{
		Mount: m.Name, Format: m.Format, Key: strings.TrimPrefix(l.Key, m.Name+"/"),
		Size: l.Size, Digest: l.Digest.String(), Metadata: l.Mutable, Private: l.Private, Pinned: l.Pinned,
		FetchedAt: l.FetchedAt.UTC(),
	}
	if !l.LastAccess.IsZero() {
		at := l.LastAccess.UTC()
		e.LastAccess = &at
	}
	return e
}

// collect returns the entries sel names that keep accepts. Purge and pin gather
// first and change after: changing the index while it is walked would compete
// with the walk's own read transaction.
func (s *Server) collect(r *http.Request, sel selection, keep func(cache.Listed) bool) ([]cache.Listed, error) {
	var out []cache.Listed
	err := s.each(r, sel, "", func(_ configs.Mount, l cache.Listed) bool {
		if keep(l) {
			out = append(out, l)
		}
		return true
	})
	return out, err
}
