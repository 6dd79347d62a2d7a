package warm

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
)

// NuGet resources under a feed (GitHub's OWNER, or "v3" for a plain feed), as the
// nuget format serves them.
var nugetRegistrations = []string{"registration", "registration-gz", "registration-semver2"}

// planNuGet asks for the feed's service index once; per package id its versions
// list and registration indexes (with their pages, read from the index); per
// locked version its .nupkg and .nuspec.
func planNuGet(r *run, t Target) {
	feed := strings.Trim(t.Prefix, "/")
	if feed == "" {
		feed = "v3"
	}
	base := "/" + t.Mount + "/" + url.PathEscape(feed)
	r.do(request{what: "service index", path: base + "/index.json"})
	ids := map[string]bool{}
	for _, p := range t.List.Packages {
		ids[p.Name] = true
		dir := base + "/download/" + p.Name + "/" + p.Version + "/"
		what := p.Name + " " + p.Version
		r.do(request{what: what, path: dir + p.Name + "." + p.Version + ".nupkg"})
		r.do(request{what: what + " nuspec", path: dir + p.Name + ".nuspec", optional: true})
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	for _, id := range sorted {
		r.do(request{what: id + " versions", path: base + "/download/" + id + "/index.json"})
		for _, slug := range nugetRegistrations {
			r.do(request{what: id + " " + slug, path: base + "/" + slug + "/" + id + "/index.json", capture: true, optional: slug != "registration",
				then: func(body []byte) { nugetPages(r, id, body) }})
		}
	}
}

// nugetPages asks for the pages a registration index links to without inlining
// them (large packages), at the URLs the daemon rewrote to itself.
func nugetPages(r *run, id string, body []byte) {
	var idx struct {
		Items []struct {
			ID    string            `json:"@id"`
			Items []json.RawMessage `json:"items"`
		} `json:"items"`
	}
	if json.Unmarshal(body, &idx) != nil {
		return
	}
	for _, page := range idx.Items {
		if len(page.Items) > 0 {
			continue
		}
		if p := r.localPath(page.ID); p != "" {
			r.do(request{what: id + " registration page", path: p})
		}
	}
}
